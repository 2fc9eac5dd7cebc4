package creditsapi

import "github.com/arcadehq/arcade/internal/httpapi"

func (a *API) registerStrategies(rt *httpapi.Router) {}
