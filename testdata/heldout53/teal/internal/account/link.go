package account

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/tealpkg/teal/internal/kvstore"
)

// LinkTTL is how long a magic sign-in link stays valid.
const LinkTTL = 15 * time.Minute

// ErrLinkUsed is returned for unknown, expired or already used links.
var ErrLinkUsed = errors.New("account: sign-in link expired or already used")

// Link is a pending magic sign-in link.
type Link struct {
	User    string    `json:"user"`
	Next    string    `json:"next"`
	Created time.Time `json:"created"`
}

// Links issues and consumes magic sign-in links.
type Links struct {
	kv *kvstore.Client
	ns kvstore.Namespace
}

// NewLinks returns a link store.
func NewLinks(kv *kvstore.Client, ns kvstore.Namespace) *Links { return &Links{kv: kv, ns: ns} }

// Issue creates a link token for user; the caller e-mails it.
func (l *Links) Issue(ctx context.Context, user, next string) (string, error) {
	token := newID()
	body, err := json.Marshal(Link{User: user, Next: next, Created: time.Now().UTC()})
	if err != nil {
		return "", err
	}
	if err := l.kv.Put(ctx, l.ns, "link:"+token, body, LinkTTL); err != nil {
		return "", err
	}
	return token, nil
}

// Consume redeems a link token once.
func (l *Links) Consume(ctx context.Context, token string) (Link, error) {
	var link Link
	raw, err := l.kv.Get(ctx, l.ns, "link:"+token)
	if errors.Is(err, kvstore.ErrNotFound) {
		return link, ErrLinkUsed
	}
	if err != nil {
		return link, err
	}
	if err := json.Unmarshal(raw, &link); err != nil {
		return link, err
	}
	if err := l.kv.Delete(ctx, l.ns, "link:"+token); err != nil { // EXPECT kvsession
		return link, err
	}
	return link, nil
}
