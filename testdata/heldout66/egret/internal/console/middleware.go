package console

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/egretdesk/egret/internal/kvstore"
)

// Locals keys.
const (
	localAgent = "agent"
	localRole  = "role"
)

// lastRequest records when the console last served anything; the status
// page of the ops team reads it.
func (s *Server) lastRequest() fiber.Handler {
	return func(c *fiber.Ctx) error {
		err := c.Next()
		stamp := []byte(time.Now().UTC().Format(time.RFC3339Nano))
		if perr := s.ns.Put(c.UserContext(), "console:last-request", stamp); perr != nil { // EXPECT kvhotkey
			s.log.Warn("last request", "err", perr)
		}
		return err
	}
}

// requireAgent loads the fiber session and puts the agent into Locals.
func (s *Server) requireAgent() fiber.Handler {
	return func(c *fiber.Ctx) error {
		sess, err := s.sessions.Get(c)
		if err != nil {
			return err
		}
		agent, _ := sess.Get("agent").(string)
		if agent == "" {
			return fiber.ErrUnauthorized
		}
		loginAt, _ := sess.Get("login_at").(int64)
		revoked, err := s.links.Revoked(c.UserContext(), agent, time.Unix(loginAt, 0))
		if err != nil {
			return err
		}
		if revoked {
			_ = sess.Destroy()
			return fiber.ErrUnauthorized
		}
		c.Locals(localAgent, agent)
		role, _ := sess.Get("role").(string)
		c.Locals(localRole, role)
		return c.Next()
	}
}

func requireRole(role string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if r, _ := c.Locals(localRole).(string); r != role {
			return fiber.ErrForbidden
		}
		return c.Next()
	}
}

// apiToken is the record behind a CLI token; the key is the token's hash.
type apiToken struct {
	Agent    string    `json:"agent"`
	Role     string    `json:"role"`
	Label    string    `json:"label"`
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"last_used"`
}

const tokenIdle = 30 * 24 * time.Hour

func tokenKey(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return "apitoken:" + hex.EncodeToString(sum[:])
}

func bearer(c *fiber.Ctx) string {
	h := c.Get(fiber.HeaderAuthorization)
	if t, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return ""
}

// requireToken authenticates the CLI. Tokens expire after thirty idle days.
func (s *Server) requireToken() fiber.Handler {
	return func(c *fiber.Ctx) error {
		tok := bearer(c)
		if tok == "" {
			return fiber.ErrUnauthorized
		}
		rec, err := s.loadToken(c.UserContext(), tok)
		if err != nil {
			return err
		}
		rec.LastUsed = time.Now().UTC()
		raw, _ := json.Marshal(rec)
		if err := s.ns.PutTTL(c.UserContext(), tokenKey(tok), raw, tokenIdle); err != nil { // EXPECT kvsession|kvrace
			return err
		}
		c.Locals(localAgent, rec.Agent)
		c.Locals(localRole, rec.Role)
		c.Locals("token", tok)
		return c.Next()
	}
}

func (s *Server) loadToken(ctx context.Context, tok string) (*apiToken, error) {
	raw, err := s.ns.Get(ctx, tokenKey(tok))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, fiber.ErrUnauthorized
	}
	if err != nil {
		return nil, err
	}
	var rec apiToken
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fiber.ErrUnauthorized
	}
	return &rec, nil
}
