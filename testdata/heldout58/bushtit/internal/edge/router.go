//go:build js && wasm

package edge

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// Router builds the Worker's routes.
func (e *Env) Router() http.Handler {
	r := chi.NewRouter()
	r.Get("/lobby/{id}", e.lookupLobby)
	r.Get("/lobby/{id}/card", e.lobbyCard)
	r.Post("/lobby/{id}/spectate", e.spectate)
	r.Post("/lobby/{id}/replay", e.replay)
	r.Get("/invite/{code}", e.limited(e.resolveInvite))
	r.Get("/browse", e.browse)
	r.Get("/browse/page", e.browsePage)
	r.Post("/names/{slug}", e.claimName)
	r.Get("/queue/{ticket}", e.queueStatus)
	r.Get("/regions", e.regions)
	r.Post("/guest", e.guest)
	r.Get("/guest", e.whoami)
	r.Get("/login", e.loginStart)
	r.Get("/login/callback", e.loginCallback)
	r.Post("/session/refresh", e.refresh)
	return r
}

// Handler binds the environment for each request; bindings only exist
// inside a request or scheduled event.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		env, err := Bind()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		env.Router().ServeHTTP(w, r)
	})
}
