//go:build js && wasm

package admin

import (
	"net/http"
	"regexp"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/boxoffice/internal/httpx"
	"example.com/boxoffice/internal/kvkey"
)

var hashPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// RevokeKey deletes an API key by the hash shown in the dashboard.
func (a *Admin) RevokeKey(w http.ResponseWriter, r *http.Request) error {
	hash := httpx.PathTail(r, "/admin/apikeys/")
	if !hashPattern.MatchString(hash) {
		return httpx.Errorf(http.StatusBadRequest, "key hash required")
	}
	ns, err := kv.NewNamespace(a.keys)
	if err != nil {
		return err
	}
	if err := ns.Delete(kvkey.APIKeys.Child(hash).String()); err != nil { // EXPECT kvsession
		return err
	}
	a.log.Info("api key revoked", "hash", hash[:12])
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// RevokeToken adds an integration token to the revocation list.
func (a *Admin) RevokeToken(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		TokenID string `json:"token_id"`
	}
	if err := httpx.ReadJSON(r, &body); err != nil {
		return err
	}
	if body.TokenID == "" {
		return httpx.Errorf(http.StatusBadRequest, "token_id required")
	}
	if err := a.auth.RevokeToken(r.Context(), body.TokenID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
