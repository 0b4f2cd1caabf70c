// Package webhook receives change notifications from the upstream flag
// repository and asks the pollers to run immediately.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

var errUnknownSource = errors.New("webhook: unknown source")

// Receiver verifies and dispatches webhook deliveries.
type Receiver struct {
	CF        *cloudflare.Client
	Account   string
	Namespace string
	Trigger   func(env string) // asks the poller of env to run now
	Log       *slog.Logger
}

// secret returns the signing secret configured for source.
func (rc *Receiver) secret(ctx context.Context, source string) ([]byte, error) {
	res, err := rc.CF.KV.Namespaces.Values.Get(ctx, rc.Namespace, "webhook/secret/"+source, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(rc.Account),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return nil, errUnknownSource
	}
	return io.ReadAll(res.Body)
}

func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var d struct {
		Source, Commit string
		Envs           []string
	}
	if err != nil || json.Unmarshal(body, &d) != nil || d.Source == "" {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	key, err := rc.secret(ctx, d.Source)
	if errors.Is(err, errUnknownSource) {
		http.Error(w, "unknown source", http.StatusForbidden)
		return
	} else if err != nil {
		http.Error(w, "secret lookup failed", http.StatusServiceUnavailable)
		return
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	if !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(r.Header.Get("X-Flagship-Signature"))) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	for _, env := range d.Envs {
		rc.Trigger(env)
	}
	stamp, _ := json.Marshal(map[string]any{"source": d.Source, "commit": d.Commit, "at": time.Now().UTC()})
	if _, err := rc.CF.KV.Namespaces.Values.Update(ctx, rc.Namespace, "webhook/last-delivery", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
		AccountID: cloudflare.F(rc.Account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(stamp)),
	}); err != nil {
		rc.Log.Warn("recording delivery failed", "err", err)
	}
	w.WriteHeader(http.StatusAccepted)
}
