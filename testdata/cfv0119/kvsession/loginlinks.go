package kvsession

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// loginGrant is what a one-click login link stands for.
type loginGrant struct {
	TelegramID int64     `json:"tg"`
	IssuedAt   time.Time `json:"iat"`
	UsedAt     time.Time `json:"used,omitzero"`
}

type linkIssuer struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// Quiet: a new link under a token drawn into a buffer here, the grant it
// is given stamped with the time it is issued: a creation, not a record
// changed and written back.
func (l *linkIssuer) issueLoginLink(ctx context.Context, g loginGrant) (string, error) {
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	tok := base64.RawURLEncoding.EncodeToString(buf)
	g.IssuedAt = time.Now().UTC()
	body, _ := json.Marshal(g)
	_, err := l.api.WriteWorkersKVEntries(ctx, l.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: l.ns,
		KVs: []*cloudflare.WorkersKVPair{{Key: "loginlink:" + tok, Value: string(body), ExpirationTTL: 900}}})
	return tok, err
}

// Redeeming a link marks its grant used and writes it back. The token is
// the sender's: handing it to a helper named for tokens draws no new one.
func (l *linkIssuer) redeemLoginLink(ctx context.Context, tok string) error { // want redeemLoginLink:"^kvsession$" redeemLoginLink:"kvsession judged inside"
	g, err := l.lookupToken(ctx, tok)
	if err != nil {
		return err
	}
	return l.markUsed(ctx, tok, &g)
}

func (l *linkIssuer) markUsed(ctx context.Context, tok string, g *loginGrant) error { // want markUsed:"kvsession"
	g.UsedAt = time.Now().UTC()
	body, _ := json.Marshal(g)
	_, err := l.api.WriteWorkersKVEntry(ctx, l.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: l.ns, Key: "loginlink:" + tok, Value: body}) // want `changed and written back`
	return err
}

func (l *linkIssuer) lookupToken(ctx context.Context, tok string) (loginGrant, error) {
	var g loginGrant
	raw, err := l.api.GetWorkersKV(ctx, l.rc, cloudflare.GetWorkersKVParams{NamespaceID: l.ns, Key: "loginlink:" + tok})
	if err != nil {
		return g, err
	}
	return g, json.Unmarshal(raw, &g)
}
