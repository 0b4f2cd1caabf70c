package loginlimit

import (
	"context"
	"io"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/identity/internal/store/kvsdk"
)

// tokenWindow is the burst window for the token endpoint.
const tokenWindow = 10 * time.Second

// TokenLimiter caps token requests per client in a short window so that a
// misbehaving confidential client cannot hammer the token endpoint.
type TokenLimiter struct {
	ns    kvsdk.Namespace
	burst int
}

func NewTokenLimiter(ns kvsdk.Namespace, burst int) *TokenLimiter {
	return &TokenLimiter{ns: ns, burst: burst}
}

// Take consumes one request for clientID; it returns false when over budget.
func (t *TokenLimiter) Take(ctx context.Context, clientID string) (bool, error) {
	key := "ratelimit:token:" + clientID
	used := 0
	res, err := t.ns.Client.KV.Namespaces.Values.Get(ctx, t.ns.ID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(t.ns.AccountID)})
	switch {
	case kvsdk.IsNotFound(err):
	case err != nil:
		return false, err
	default:
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		used, _ = strconv.Atoi(string(b))
	}
	if used >= t.burst {
		return false, nil
	}
	_, err = t.ns.Client.KV.Namespaces.Values.Update(ctx, t.ns.ID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(t.ns.AccountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(strconv.Itoa(used + 1))),
		ExpirationTTL: cloudflare.F(tokenWindow.Seconds()), // EXPECT kvttl
	})
	return err == nil, err
}
