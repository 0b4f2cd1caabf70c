package sessions

import (
	"context"
	"encoding/json"
	"fmt"

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

// The same sign-out in two deletes: the session's is the revocation; the
// entry of the user's index that names it (its key made of the user and
// the same session ID) only lists it.
func signOutTwice(ctx context.Context, client *cloudflare.Client, account, ns, userID, sessionID string) error { // want signOutTwice:"kvsession"
	params := kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(account)}
	if _, err := client.KV.Namespaces.Values.Delete(ctx, ns, "sess:"+sessionID, params); err != nil { // want `A session revoked or consumed by a KV delete`
		return err
	}
	_, err := client.KV.Namespaces.Values.Delete(ctx, ns, "user-sess:"+userID+":"+sessionID, params)
	return err
}

// Quiet: a cleanup that prunes a function's old code versions, collected
// from its record, removes what it finds, not a sign-in code.
func pruneVersions(ctx context.Context, client *cloudflare.Client, account, ns, tenant, name string, versions []int, keep int) error {
	var doomed []string
	for _, v := range versions[:max(len(versions)-keep, 0)] {
		doomed = append(doomed, fmt.Sprintf("code:%s:%s:v%06d", tenant, name, v))
	}
	_, err := client.KV.Namespaces.BulkDelete(ctx, ns, kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(account), Body: doomed})
	return err
}

// apiKey is an API key's record, kept under its ID; its name within the
// organisation is reserved under a key of its own.
type apiKey struct {
	ID, Org, Name string
}

// A revocation deletes the key's record and frees its name: the record's
// delete is the revocation; the name's entry, made of other fields of the
// same record, only points at it.
func revokeKey(ctx context.Context, client *cloudflare.Client, account, ns string, k *apiKey) error { // want revokeKey:"kvsession"
	params := kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(account)}
	if _, err := client.KV.Namespaces.Values.Delete(ctx, ns, "apikey:rec:"+k.ID, params); err != nil { // want `An API key revoked or consumed by a KV delete`
		return err
	}
	_, err := client.KV.Namespaces.Values.Delete(ctx, ns, "apikey:name:"+k.Org+":"+k.Name, params)
	return err
}

// subscription is a listener's premium subscription to a show, whose
// private feed is reached through a token of its own.
type subscription struct {
	FeedToken string `json:"feed_token"`
}

func loadSubscription(ctx context.Context, client *cloudflare.Client, account, ns, listener, show string) (*subscription, error) {
	res, err := client.KV.Namespaces.Values.Get(ctx, ns, "sub:"+listener+":"+show, kv.NamespaceValueGetParams{AccountID: cloudflare.F(account)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var sub subscription
	return &sub, json.NewDecoder(res.Body).Decode(&sub)
}

// A cancellation retires the feed token and drops the subscription: the
// token's key is made of a field of the record, which was read with the
// listener and the show; the record's key, made of those two, points at
// no token.
func cancelSubscription(ctx context.Context, client *cloudflare.Client, account, ns, listener, show string) error { // want cancelSubscription:"^kvsession$" cancelSubscription:"kvsession judged inside"
	sub, err := loadSubscription(ctx, client, account, ns, listener, show)
	if err != nil {
		return err
	}
	params := kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(account)}
	if _, err := client.KV.Namespaces.Values.Delete(ctx, ns, "feed-token:"+sub.FeedToken, params); err != nil { // want `A token revoked or consumed by a KV delete`
		return err
	}
	_, err = client.KV.Namespaces.Values.Delete(ctx, ns, "sub:"+listener+":"+show, params)
	return err
}

// A shift's end drops the courier's session and clears its location: the
// location's key is made of fewer of the same parts, but it names no
// credential, so the session's delete is still the revocation.
func endShift(ctx context.Context, client *cloudflare.Client, account, ns, courierID, sessionID string) error { // want endShift:"kvsession"
	params := kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(account)}
	if _, err := client.KV.Namespaces.Values.Delete(ctx, ns, fmt.Sprintf("session:courier:%s:%s", courierID, sessionID), params); err != nil { // want `A session revoked or consumed by a KV delete`
		return err
	}
	_, err := client.KV.Namespaces.Values.Delete(ctx, ns, "courier:"+courierID+":loc", params)
	return err
}
