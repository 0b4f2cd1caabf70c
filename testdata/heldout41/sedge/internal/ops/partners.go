package ops

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"sedge/internal/httpx"
	"sedge/internal/restkv"
)

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,40}$`)

// ClaimSlug reserves a vanity path (sedge.example/v/<slug>) for a venue.
func (a *Admin) ClaimSlug(ctx context.Context, slug, venue string) error {
	if !slugPattern.MatchString(slug) {
		return fmt.Errorf("slug %q: lowercase letters, digits and dashes only", slug)
	}
	_, err := a.slugs.Get(ctx, slug)
	switch {
	case err == nil:
		return fmt.Errorf("slug %q is taken", slug)
	case !restkv.IsNotFound(err):
		return err
	}
	return a.slugs.Put(ctx, slug, []byte(venue), restkv.WriteOpts{}) // EXPECT kvrace
}

// Rules are a venue's booking rules, edited from the back office.
type Rules struct {
	MaxParty     int      `json:"max_party"`
	DailyCovers  int      `json:"daily_covers"`
	BlackoutDays []string `json:"blackout_days"`
	Deposit      bool     `json:"deposit"`
}

// EditRules applies edit to a venue's rules document.
func (a *Admin) EditRules(ctx context.Context, venue string, edit func(*Rules) error) error {
	var r Rules
	raw, err := a.rules.Get(ctx, venue)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("rules %s: %w", venue, err)
		}
	case restkv.IsNotFound(err):
		r = Rules{MaxParty: 8, DailyCovers: 120}
	default:
		return err
	}
	if err := edit(&r); err != nil {
		return err
	}
	out, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return a.rules.Put(ctx, venue, out, restkv.WriteOpts{}) // EXPECT kvrace
}

func tokenHash(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// RotatePartnerToken issues a new API token for a booking partner and retires
// the previous one.
func (a *Admin) RotatePartnerToken(ctx context.Context, partner string) (string, error) {
	prev, err := a.partners.Lookup(ctx, partner)
	if err != nil {
		return "", err
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	tok := "sp_" + hex.EncodeToString(b[:])
	if err := a.tokens.Put(ctx, tokenHash(tok), []byte(partner), restkv.WriteOpts{TTL: 90 * 24 * time.Hour}); err != nil {
		return "", err
	}
	if err := a.partners.Put(ctx, partner, []byte(tokenHash(tok)), restkv.WriteOpts{}); err != nil { // DEBATABLE kvsession
		return "", err
	}
	if old, ok := prev.Get(); ok {
		if err := a.tokens.Delete(ctx, string(old)); err != nil { // EXPECT kvsession
			return "", err
		}
	}
	return tok, nil
}

// VenueProfile returns a venue's published profile, or nil if it has none.
func (a *Admin) VenueProfile(ctx context.Context, venue string) (map[string]any, error) {
	res, err := a.client.KV.Namespaces.Values.Get(ctx, a.ns, a.prefix+"profile:"+venue, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(a.account),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return nil, nil
	}
	var p map[string]any
	return p, json.Unmarshal(raw, &p)
}

// PublishProfile writes a venue's public profile.
func (a *Admin) PublishProfile(ctx context.Context, venue string, p map[string]any) error {
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = a.client.KV.Namespaces.Values.Update(ctx, a.ns, a.prefix+"profile:"+venue, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(a.account),
		Value:     cloudflare.F(string(body)),
		Metadata:  cloudflare.F[any](map[string]any{"name": p["name"], "city": p["city"]}),
	})
	return err
}

type receipt struct {
	MessageID string `json:"message_id"`
	Status    string `json:"status"`
	Error     string `json:"error"`
}

func (c *receipt) Validate() error {
	if c.MessageID == "" || c.Status == "" {
		return errors.New("message_id and status required")
	}
	return nil
}

// ReceiptHook accepts SMS delivery receipts from the provider.
func (a *Admin) ReceiptHook(w http.ResponseWriter, r *http.Request) error {
	var rc receipt
	if err := httpx.Decode(r, &rc); err != nil {
		return err
	}
	body, _ := json.Marshal(rc)
	if rc.Status == "failed" {
		if err := a.failures.Put(r.Context(), rc.MessageID, body, restkv.WriteOpts{TTL: 7 * 24 * time.Hour}); err != nil {
			return err
		}
	}
	if err := a.state.Put(r.Context(), "sms-last-receipt", body, restkv.WriteOpts{}); err != nil { // EXPECT kvhotkey
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// partnerRequestsPerMinute is the partner API allowance.
const partnerRequestsPerMinute = 120

// PartnerAvailability answers availability queries from booking partners.
func (a *Admin) PartnerAvailability(w http.ResponseWriter, r *http.Request) error {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	o, err := a.tokens.Lookup(r.Context(), tokenHash(tok))
	if err != nil {
		return err
	}
	partner, ok := o.Get()
	if !ok {
		return httpx.Status(http.StatusUnauthorized, "unknown token")
	}
	window := time.Now().UTC().Format("200601021504")
	name := string(partner) + ":" + window
	used := 0
	if c, err := a.limits.Lookup(r.Context(), name); err != nil {
		return err
	} else if v, ok := c.Get(); ok {
		used, _ = strconv.Atoi(string(v))
	}
	if used >= partnerRequestsPerMinute {
		return httpx.Status(http.StatusTooManyRequests, "slow down")
	}
	if err := a.limits.Put(r.Context(), name, []byte(strconv.Itoa(used+1)), restkv.WriteOpts{TTL: 2 * time.Minute}); err != nil { // EXPECT kvcounter|kvrace
		return err
	}
	venue := r.URL.Query().Get("venue")
	o, err = a.rules.Lookup(r.Context(), venue)
	if err != nil {
		return err
	}
	var rules Rules
	if raw, ok := o.Get(); ok {
		if err := json.Unmarshal(raw, &rules); err != nil {
			return err
		}
	}
	return httpx.JSON(w, http.StatusOK, map[string]any{"venue": venue, "max_party": rules.MaxParty, "blackout": rules.BlackoutDays})
}
