"""The API for the national M&E system: releases, read with a personal access token."""
