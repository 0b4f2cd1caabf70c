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
