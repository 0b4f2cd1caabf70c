package sessions

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// A sign-out that deletes the session and its entry in the user's index
// in one bulk request: the session's key names what it holds, whatever
// its neighbour in the slice names.
func signOut(ctx context.Context, client *cloudflare.Client, account, ns, userID, sessionID string) error { // want signOut:"kvsession"
	_, err := client.KV.Namespaces.BulkDelete(ctx, ns, kv.NamespaceBulkDeleteParams{ // want `A session revoked or consumed by a KV delete`
		AccountID: cloudflare.F(account),
		Body:      []string{"sess:" + sessionID, "sess-by-user:" + userID + ":" + sessionID},
	})
	return err
}

// Quiet: a cart and a recently-viewed list dropped together hold no
// credential.
func clearShopping(ctx context.Context, client *cloudflare.Client, account, ns, customer string) error {
	_, err := client.KV.Namespaces.BulkDelete(ctx, ns, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(account),
		Body:      []string{"wishlist:" + customer, "recent:" + customer},
	})
	return err
}
