//go:build !js

package backend

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"firecrest/internal/kvkeys"
	"firecrest/internal/restkv"
)

const revokedPrefix = "fc:" +
	"revoked:"

// Offboarding is what HR sends when a courier leaves or reports a lost phone.
type Offboarding struct {
	CourierID     string   `json:"courier_id"`
	LoginTokens   []string `json:"login_tokens"`
	RefreshTokens []string `json:"refresh_tokens"`
	LostDevice    bool     `json:"lost_device"`
}

// RevokeCourier ends every login and refresh token a courier holds.
func RevokeCourier(ctx context.Context, env *Env, off Offboarding) error {
	acct := cloudflare.F(env.AccountID)
	var failed []string

	for _, tok := range off.LoginTokens {
		if err := env.Auth.Delete(ctx, kvkeys.LoginPrefix+tok); err != nil { // EXPECT kvsession
			failed = append(failed, tok)
		}
	}
	for _, tok := range off.RefreshTokens {
		_, err := env.CF.KV.Namespaces.Values.Delete(ctx, env.AuthNS, kvkeys.RefreshPrefix+tok, kv.NamespaceValueDeleteParams{AccountID: acct}) // EXPECT kvsession
		if err != nil && !isNotFound(err) {
			failed = append(failed, tok)
		}
	}

	// The Worker also checks the revocation list, for tokens we could not
	// delete and for apps that cached a login.
	pairs := make([]restkv.BulkPair, 0, len(off.LoginTokens))
	for _, tok := range off.LoginTokens {
		pairs = append(pairs, restkv.BulkPair{
			Key:           revokedPrefix + tok,
			Value:         off.CourierID,
			ExpirationTTL: kvkeys.LoginTTL,
		})
	}
	if len(pairs) > 0 {
		if err := env.Auth.BulkPut(ctx, pairs); err != nil { // EXPECT kvsession
			return err
		}
	}

	if off.LostDevice {
		if err := env.Auth.Delete(ctx, kvkeys.DeviceBindPrefix+off.CourierID); err != nil { // DEBATABLE kvsession
			return err
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("revoke %s: %d tokens left: %s", off.CourierID, len(failed), strings.Join(failed, ","))
	}
	return nil
}

// ServiceToken is a machine credential for the partner depots.
type ServiceToken struct {
	ID      string    `json:"id"`
	Depot   string    `json:"depot"`
	Created time.Time `json:"created"`
}

// IssueDepotToken mints a long-lived token for a depot scanner.
func IssueDepotToken(ctx context.Context, env *Env, depot string) (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	st := ServiceToken{ID: hex.EncodeToString(b), Depot: depot, Created: time.Now().UTC()}
	raw, err := json.Marshal(st)
	if err != nil {
		return "", err
	}
	err = env.Auth.Put(ctx, kvkeys.LoginPrefix+"depot:"+st.ID, strings.NewReader(string(raw)), restkv.WriteOpts{
		TTL:      90 * 24 * 60 * 60,
		Metadata: map[string]any{"depot": depot},
	})
	return st.ID, err
}
