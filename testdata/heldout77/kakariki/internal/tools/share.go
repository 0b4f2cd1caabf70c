package tools

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/kakariki-ai/kakariki/internal/kvstore"
)

// ShareLink is a read-only public link to a conversation.
type ShareLink struct {
	Token          string    `json:"token"`
	OwnerID        string    `json:"owner_id"`
	ConversationID string    `json:"conversation_id"`
	Created        time.Time `json:"created"`
}

// Share lets the model create and revoke public links to the current
// conversation.
type Share struct {
	KV             *kvstore.Store
	UserID         string
	ConversationID string
	BaseURL        string
}

type shareArgs struct {
	Action         string `json:"action"`
	Slug           string `json:"slug"`
	ExpiresInHours int    `json:"expires_in_hours"`
	Token          string `json:"token"`
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,40}$`)

func (s *Share) Name() string        { return "share_link" }
func (s *Share) Description() string { return "Create or revoke a public link to this conversation." }
func (s *Share) Schema() json.RawMessage {
	return json.RawMessage(`{"type":"object","properties":{"action":{"enum":["create","revoke"]},"slug":{"type":"string"},"expires_in_hours":{"type":"integer"},"token":{"type":"string"}},"required":["action"]}`)
}

// ShareTokenKey is where a share token's link is stored; the edge Worker reads
// the same layout.
func ShareTokenKey(token string) string { return "share-token:" + token }

// Call implements Tool.
func (s *Share) Call(ctx context.Context, raw json.RawMessage) (string, error) {
	args, err := decode[shareArgs](raw)
	if err != nil {
		return "", err
	}
	switch args.Action {
	case "create":
		return s.create(ctx, args)
	case "revoke":
		var link ShareLink
		if err := s.KV.GetJSON(ctx, ShareTokenKey(args.Token), &link); err != nil {
			return "", err
		}
		if link.OwnerID != s.UserID {
			return "", errors.New("not your link")
		}
		if err := s.KV.Delete(ctx, ShareTokenKey(args.Token)); err != nil { // EXPECT kvsession
			return "", err
		}
		return "Link revoked.", nil
	}
	return "", fmt.Errorf("unknown action %q", args.Action)
}

func (s *Share) create(ctx context.Context, args shareArgs) (string, error) {
	link := ShareLink{
		Token:          rand.Text(),
		OwnerID:        s.UserID,
		ConversationID: s.ConversationID,
		Created:        time.Now().UTC(),
	}
	ttl := time.Duration(args.ExpiresInHours) * time.Hour
	if err := s.KV.PutJSON(ctx, ShareTokenKey(link.Token), link, ttl); err != nil {
		return "", err
	}
	url := s.BaseURL + "/s/" + link.Token
	if args.Slug == "" {
		return url, nil
	}
	if !slugPattern.MatchString(args.Slug) {
		return url, fmt.Errorf("slug %q is not allowed", args.Slug)
	}
	slugKey := "slug:" + args.Slug
	if _, err := s.KV.Get(ctx, slugKey); err == nil {
		return url, fmt.Errorf("slug %q is taken", args.Slug)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return "", err
	}
	if err := s.KV.Put(ctx, slugKey, []byte(link.Token), ttl); err != nil { // EXPECT kvrace
		return "", err
	}
	return s.BaseURL + "/s/" + args.Slug, nil
}
