// Package anticheat stores bans, strikes and revoked tokens for the Worker to
// enforce at the edge. The anti-cheat pipeline writes through the REST API.
package anticheat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"github.com/arcadia-games/shoveler/internal/config"
	"github.com/arcadia-games/shoveler/internal/kvbase"
	"github.com/arcadia-games/shoveler/internal/restkv"
	"github.com/arcadia-games/shoveler/internal/tenant"
)

// appealNotice is attached to every ban so that support tooling listing bans
// can show it without fetching the value.
const appealNotice = `Your account has been suspended from online play because our anti-cheat ` +
	`systems detected activity that violates section 4.2 of the Arcadia Games Terms of Service ` +
	`(unauthorised third-party software, memory modification, packet manipulation, or exploitation ` +
	`of known defects to gain an unfair advantage). Suspensions apply to all titles that share ` +
	`the Arcadia online service, including ranked, casual and custom lobbies, and to any linked ` +
	`platform accounts. Progress, cosmetics and purchased content remain on your account and will ` +
	`be available again when the suspension ends. If you believe this decision was made in error ` +
	`you can submit one appeal within 30 days at https://support.arcadia.example/appeals, quoting ` +
	`the case number shown on this notice. Appeals are reviewed by a member of the fair-play team ` +
	`within ten business days; repeated appeals for the same case are closed without review. ` +
	`Creating new accounts to evade a suspension results in a permanent ban of all accounts ` +
	`involved. For questions about data we hold in connection with this decision, contact ` +
	`privacy@arcadia.example.`

// Ban is a player suspension.
type Ban struct {
	Player string    `json:"player"`
	Reason string    `json:"reason"`
	Case   string    `json:"case"`
	Until  time.Time `json:"until,omitzero"`
	By     string    `json:"by"`
}

// BanStore keeps bans under ban:<tenant>:<player>. Put is shadowed to attach
// the appeal metadata and honour temporary bans.
type BanStore struct {
	restkv.Table[Ban]
	api     *cloudflare.Client
	account string
	ns      string
	cfg     config.Config
}

// NewBanStore returns a store over the BANS namespace.
func NewBanStore(c *restkv.Client, api *cloudflare.Client, account string, cfg config.Config) *BanStore {
	return &BanStore{Table: restkv.Table[Ban]{C: c, Prefix: "ban"}, api: api, account: account, ns: c.Namespace(), cfg: cfg}
}

// Put stores a ban with its appeal notice as metadata.
func (s *BanStore) Put(ctx context.Context, b Ban) error {
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(raw)),
		Metadata:  cloudflare.F[any](map[string]string{"case": b.Case, "notice": appealNotice}), // EXPECT kvlimits
	}
	if !b.Until.IsZero() {
		params.Expiration = cloudflare.F(float64(b.Until.Unix()))
	}
	_, err = s.api.KV.Namespaces.Values.Update(ctx, s.ns, s.Key(tenant.From(ctx), b.Player), params)
	return err
}

// Suspend issues a temporary ban ending at until.
func (s *BanStore) Suspend(ctx context.Context, player, reason string, until time.Time) error {
	raw, _ := json.Marshal(Ban{Player: player, Reason: reason, Until: until, By: "pipeline"})
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.ns, s.Key(tenant.From(ctx), player), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.account),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(raw)),
		Expiration: cloudflare.F(float64(until.UnixMilli())), // EXPECT kvttl
	})
	return err
}

// Cooldown blocks a player from queueing briefly after abandoning a match.
func (s *BanStore) Cooldown(ctx context.Context, player string) error {
	key := kvbase.Key(tenant.From(ctx), "cooldown", player)
	return s.C.PutAt(ctx, key, []byte("abandon"), time.Now().Add(30*time.Second)) // EXPECT kvttl
}

// Penalty blocks a player from ranked play for d, chosen by the moderator.
func (s *BanStore) Penalty(ctx context.Context, player string, d time.Duration) error {
	key := kvbase.Key(tenant.From(ctx), "penalty", player)
	return s.C.PutAt(ctx, key, []byte("ranked"), time.Now().Add(d))
}

// Banned reports whether a player is banned.
func (s *BanStore) Banned(ctx context.Context, player string) (bool, error) {
	_, err := s.Get(ctx, tenant.From(ctx), player)
	var nf *kvbase.NotFoundError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &nf):
		return false, nil
	}
	return false, err
}

type verdict struct {
	player string
	banned bool
	err    error
}

// BannedMany checks a lobby's players concurrently, each with its own timeout.
func (s *BanStore) BannedMany(ctx context.Context, players []string) (map[string]bool, error) {
	results := make(chan verdict)
	for _, p := range players {
		go func() {
			pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			banned, err := s.Banned(pctx, p)
			results <- verdict{player: p, banned: banned, err: err}
		}()
	}
	out := make(map[string]bool, len(players))
	var errs []error
	for range players {
		v := <-results
		if v.err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", v.player, v.err))
			continue
		}
		out[v.player] = v.banned
	}
	return out, errors.Join(errs...)
}

// Strike records a soft violation and reports the player's strike total.
func (s *BanStore) Strike(ctx context.Context, player string) (int, error) {
	key := kvbase.Key(tenant.From(ctx), "strikes", player)
	n := 0
	raw, err := s.C.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !kvbase.IsNotFound(err):
		return 0, err
	}
	n++
	return n, s.C.Put(ctx, key, []byte(strconv.Itoa(n)), 90*24*time.Hour) // EXPECT kvcounter|kvrace
}

// RevokeTokens adds a player's outstanding tokens to the revocation list the
// Worker checks on every authenticated request, and drops their sessions from
// the AUTH namespace.
func (s *BanStore) RevokeTokens(ctx context.Context, player string, auth interface {
	Delete(context.Context, string) error
}, sessionIDs []string, keyFn func(kvbase.Keys, string) string) error {
	listKey := kvbase.Key(tenant.From(ctx), "revoked", "tokens")
	var revoked []string
	raw, err := s.C.Get(ctx, listKey)
	if err != nil && !kvbase.IsNotFound(err) {
		return err
	}
	if err == nil {
		if err := json.Unmarshal(raw, &revoked); err != nil {
			return err
		}
	}
	for _, id := range sessionIDs {
		revoked = append(revoked, player+"/"+id)
	}
	b, _ := json.Marshal(revoked)
	if err := s.C.Put(ctx, listKey, b, 0); err != nil { // EXPECT kvsession|kvrace
		return err
	}
	keys := kvbase.Keys{Tenant: tenant.From(ctx)}
	var errs []error
	for _, id := range sessionIDs {
		errs = append(errs, auth.Delete(ctx, keyFn(keys, id))) // EXPECT kvsession
	}
	return errors.Join(errs...)
}

// Lift removes a ban.
func (s *BanStore) Lift(ctx context.Context, player string) error {
	return s.Delete(ctx, tenant.From(ctx), player)
}

// Export streams every ban of a tenant to fn, for the weekly compliance report.
func (s *BanStore) Export(ctx context.Context, fn func(kv.Key) error) error {
	keys, account, ns := s.C.Keys()
	cursor := ""
	for {
		params := kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(account),
			Prefix:    cloudflare.F(s.Key(tenant.From(ctx)) + kvbase.Sep),
		}
		if cursor != "" {
			params.Cursor = cloudflare.F(cursor)
		}
		page, err := keys.List(ctx, ns, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			if err := fn(k); err != nil {
				return err
			}
		}
		if page.ResultInfo.Cursor == "" {
			return nil
		}
		cursor = page.ResultInfo.Cursor
	}
}

// Recent returns the first few bans for the moderation dashboard.
func (s *BanStore) Recent(ctx context.Context) ([]string, error) {
	keys, account, ns := s.C.Keys()
	page, err := keys.List(ctx, ns, kv.NamespaceKeyListParams{ // DEBATABLE kvlist
		AccountID: cloudflare.F(account),
		Prefix:    cloudflare.F(s.Key(tenant.From(ctx)) + kvbase.Sep),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, strings.TrimPrefix(k.Name, s.Key(tenant.From(ctx))+kvbase.Sep))
	}
	return names, nil
}

// Handlers serves the moderation API on the backend.
type Handlers struct {
	Bans  *BanStore
	Flags *restkv.Client
}

// Register installs the moderation routes.
func (h *Handlers) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /bans", h.ban)
	mux.HandleFunc("POST /bans/{player}/strike", h.strike)
}

func (h *Handlers) ban(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.FromRequest(r)
	var b Ban
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b.Case = strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := h.Bans.Put(ctx, b); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	stamp := []byte(strconv.FormatInt(time.Now().Unix(), 10))
	if err := h.Flags.Put(ctx, "bans:version", stamp, 0); err != nil { // EXPECT kvhotkey
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

func (h *Handlers) strike(w http.ResponseWriter, r *http.Request) {
	n, err := h.Bans.Strike(tenant.FromRequest(r), r.PathValue("player"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]int{"strikes": n})
}
