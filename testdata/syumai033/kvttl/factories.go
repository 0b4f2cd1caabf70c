package kvttl

import (
	"net/http"
	"time"

	"kvlint.test/syumai033/stage"
)

// A handler factory of another package keeps the lifetime its caller
// chooses for the handler it returns, which the mux calls later: the
// lifetime is the caller's, at the call.
func menuRoutes(mux *http.ServeMux, s *stage.Store) {
	mux.HandleFunc("/menu", stage.MenuHandler(s, 45*time.Second)) // want `ExpirationTTL 45 \(passed to stage.MenuHandler, which keeps it in the closure it returns\) is below KV's 60-second minimum`
	mux.HandleFunc("/menu/weekly", stage.MenuHandler(s, 10*time.Minute))
}

// The handler's method raises the lifetime it picks, hot or not, to a
// minute: the 15 s the constructor keeps for hot pages is never written.
func pageRoutes(mux *http.ServeMux, s *stage.Store) {
	mux.HandleFunc("/pages/", stage.PageHandler(stage.NewCache(s)))
}

type menuServer struct{ serve http.HandlerFunc }

// A handler a factory made, kept in a field and called later: the
// lifetime is reported where it is given to the factory.
func newMenuServer(s *stage.Store) *menuServer {
	return &menuServer{serve: stage.MenuHandler(s, 30*time.Second)} // want `ExpirationTTL 30 \(passed to`
}

func (m *menuServer) handle(w http.ResponseWriter, r *http.Request) { m.serve(w, r) }
