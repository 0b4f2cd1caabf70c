// Package linking ties a Telegram account to an agent's web account. An
// agent either types a one-time code that the bot sent, or clicks a login
// link that the bot sent; either way the bot proves the Telegram identity.
package linking

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/egretdesk/egret/internal/kvstore"
)

var (
	ErrBadCode      = errors.New("linking: code is invalid or expired")
	ErrTooMany      = errors.New("linking: too many attempts, ask the bot for a new code")
	ErrHandleTaken  = errors.New("linking: handle already taken")
	ErrNotLinked    = errors.New("linking: telegram account is not linked")
	ErrLinkConsumed = errors.New("linking: login link already used or expired")
)

const (
	otpTTL       = 30 // seconds; codes are typed straight from the chat
	loginLinkTTL = 15 * time.Minute
	maxAttempts  = 5
)

// Grant is what a code or a login link stands for.
type Grant struct {
	TelegramID int64     `json:"tg"`
	Username   string    `json:"u,omitempty"`
	ChatID     int64     `json:"chat"`
	IssuedAt   time.Time `json:"iat"`
}

// Link is the stored tie between a Telegram user and an agent.
type Link struct {
	AgentID    string    `json:"agent"`
	TelegramID int64     `json:"tg"`
	Username   string    `json:"u,omitempty"`
	LinkedAt   time.Time `json:"at"`
}

// Service issues and redeems codes and links.
type Service struct {
	ns      *kvstore.Namespace
	baseURL string
}

// New returns a Service whose login links point at baseURL.
func New(ns *kvstore.Namespace, baseURL string) *Service {
	return &Service{ns: ns, baseURL: strings.TrimRight(baseURL, "/")}
}

func linkKey(tg int64) string { return "acct:tg:" + strconv.FormatInt(tg, 10) }

// IssueCode returns a six-digit code for the Telegram user to type into the
// console's "link Telegram" form.
func (s *Service) IssueCode(ctx context.Context, g Grant) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	g.IssuedAt = time.Now().UTC()
	body, _ := json.Marshal(g)
	api, rc, id := s.ns.API()
	_, err = api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: id,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           "otp:" + code,
			Value:         string(body),
			ExpirationTTL: otpTTL, // EXPECT kvttl
		}},
	})
	return code, err
}

// RedeemCode links agentID to the Telegram user the code was issued for.
func (s *Service) RedeemCode(ctx context.Context, agentID, code string) (Link, error) {
	code = strings.TrimSpace(code)
	if err := s.countAttempt(ctx, agentID); err != nil {
		return Link{}, err
	}
	raw, err := s.ns.Get(ctx, "otp:"+code)
	if errors.Is(err, kvstore.ErrNotFound) {
		return Link{}, ErrBadCode
	}
	if err != nil {
		return Link{}, err
	}
	var g Grant
	if err := json.Unmarshal(raw, &g); err != nil {
		return Link{}, ErrBadCode
	}
	if err := s.ns.Delete(ctx, "otp:"+code); err != nil { // EXPECT kvsession
		return Link{}, err
	}
	return s.link(ctx, agentID, g)
}

// countAttempt refuses after maxAttempts failed codes within ten minutes.
func (s *Service) countAttempt(ctx context.Context, agentID string) error {
	key := "attempts:link:" + agentID
	n := 0
	if raw, err := s.ns.Get(ctx, key); err == nil { // EXPECT kvnull
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= maxAttempts {
		return ErrTooMany
	}
	return s.ns.PutTTL(ctx, key, []byte(strconv.Itoa(n+1)), 10*time.Minute) // EXPECT kvcounter|kvrace
}

// IssueLoginLink returns a one-click URL that signs the Telegram user into
// the console. The token is random and lives fifteen minutes.
func (s *Service) IssueLoginLink(ctx context.Context, g Grant) (string, error) {
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	tok := base64.RawURLEncoding.EncodeToString(buf)
	g.IssuedAt = time.Now().UTC()
	body, _ := json.Marshal(g)
	if err := s.ns.PutTTL(ctx, "loginlink:"+tok, body, loginLinkTTL); err != nil {
		return "", err
	}
	return s.baseURL + "/auth/tg/" + tok, nil
}

// RedeemLoginLink returns the agent linked to the Telegram user that the
// link was issued for, and burns the link.
func (s *Service) RedeemLoginLink(ctx context.Context, tok string) (Link, error) {
	key := "loginlink:" + tok
	raw, err := s.ns.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return Link{}, ErrLinkConsumed
	}
	if err != nil {
		return Link{}, err
	}
	var g Grant
	if err := json.Unmarshal(raw, &g); err != nil {
		return Link{}, ErrLinkConsumed
	}
	if err := s.ns.Delete(ctx, key); err != nil { // EXPECT kvsession
		return Link{}, err
	}
	return s.Lookup(ctx, g.TelegramID)
}

// Lookup returns the link of a Telegram user.
func (s *Service) Lookup(ctx context.Context, tg int64) (Link, error) {
	raw, err := s.ns.Get(ctx, linkKey(tg))
	if err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return Link{}, ErrNotLinked
		}
		return Link{}, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return Link{}, ErrNotLinked
	}
	var l Link
	if err := json.Unmarshal(raw, &l); err != nil {
		return Link{}, err
	}
	return l, nil
}

func (s *Service) link(ctx context.Context, agentID string, g Grant) (Link, error) {
	l := Link{AgentID: agentID, TelegramID: g.TelegramID, Username: g.Username, LinkedAt: time.Now().UTC()}
	body, _ := json.Marshal(l)
	if err := s.ns.Put(ctx, linkKey(g.TelegramID), body); err != nil {
		return Link{}, err
	}
	// The reverse entry lets the console show "linked as @name".
	return l, s.ns.Put(ctx, "acct:agent:"+agentID, body)
}

// Unlink removes the tie and refuses the agent's outstanding console
// sessions that were opened through Telegram.
func (s *Service) Unlink(ctx context.Context, tg int64) (Link, error) {
	l, err := s.Lookup(ctx, tg)
	if err != nil {
		return Link{}, err
	}
	if err := s.ns.Delete(ctx, linkKey(tg)); err != nil {
		return Link{}, err
	}
	if err := s.ns.Delete(ctx, "acct:agent:"+l.AgentID); err != nil {
		return Link{}, err
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	return l, s.ns.PutTTL(ctx, "revoked:agent:"+l.AgentID, stamp, 30*24*time.Hour) // EXPECT kvsession
}

// Revoked reports whether the agent's Telegram sessions were revoked after
// the given login time.
func (s *Service) Revoked(ctx context.Context, agentID string, loginAt time.Time) (bool, error) {
	raw, err := s.ns.Get(ctx, "revoked:agent:"+agentID)
	if errors.Is(err, kvstore.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	at, err := time.Parse(time.RFC3339, string(raw))
	if err != nil {
		return true, nil
	}
	return !loginAt.After(at), nil
}

// ClaimHandle reserves a public @handle for an agent's signature line.
func (s *Service) ClaimHandle(ctx context.Context, agentID, handle string) error {
	handle = strings.ToLower(strings.TrimPrefix(handle, "@"))
	key := "handle:" + handle
	if _, err := s.ns.Get(ctx, key); err == nil {
		return ErrHandleTaken
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return s.ns.Put(ctx, key, []byte(agentID)) // EXPECT kvrace
}
