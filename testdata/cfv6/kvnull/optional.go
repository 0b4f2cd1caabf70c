package kvnull

import (
	"context"
	"encoding/json"
	"net/http"

	"kvlint.test/cfv6/optstore"
)

// optstore.Get traces itself with a deferred function, so its results
// live in variables; it still hands every failure, a missing key among
// them, on as an error.

type partner struct {
	ID     string   `json:"id"`
	Scopes []string `json:"scopes"`
}

func addScope(ctx context.Context, st *optstore.Store, id, scope string) error {
	raw, err := st.Get(ctx, "partner:"+id)
	if err != nil {
		return err
	}
	var p partner
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	p.Scopes = append(p.Scopes, scope)
	out, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return st.Put(ctx, "partner:"+id, out, optstore.WriteOpts{})
}

func planOf(ctx context.Context, st *optstore.Store, id string) (string, error) {
	raw, err := st.Get(ctx, "plan:"+id)
	if err != nil {
		return "", err
	}
	if len(raw) == 0 { // want `this miss check is never true for a missing key`
		return "free", nil
	}
	return string(raw), nil
}

// A suppression recorded from what the request says, on any failure of
// the get: a timeout overwrites the record that is there.
func suppress(st *optstore.Store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := "suppress:" + r.PathValue("email")
		if _, err := st.Get(r.Context(), key); err != nil { // want `every error of this get is taken for a missing key`
			b, _ := json.Marshal(map[string]string{"reason": "manual", "by": r.FormValue("operator")})
			_ = st.Put(r.Context(), key, b, optstore.WriteOpts{})
		}
	}
}

// optstore.Lookup tells a miss by its found flag, not by its error: a
// caller that asks only the flag may drop the error.
func backingOff(ctx context.Context, st *optstore.Store, site string) bool {
	_, ok, _ := st.Lookup(ctx, "backoff:"+site)
	return ok
}
