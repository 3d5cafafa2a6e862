"""Personal access tokens: how the national M&E system reads releases through the API."""
