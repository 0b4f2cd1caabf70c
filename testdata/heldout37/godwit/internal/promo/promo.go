// Package promo redeems promo codes, once per customer, and sets the promo
// banner.
package promo

import (
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"godwit/internal/config"
	"godwit/internal/kvstore"
	"godwit/internal/web"
)

// Code is one promo code issued by a campaign.
type Code struct {
	Code           string    `json:"code"`
	Campaign       string    `json:"campaign"`
	PercentOff     int       `json:"percent_off"`
	ValidUntil     time.Time `json:"valid_until"`
	LastRedeemedAt time.Time `json:"last_redeemed_at"`
	RedeemedBy     []string  `json:"redeemed_by,omitempty"`
}

type attempts struct {
	Count int       `json:"count"`
	First time.Time `json:"first"`
}

const maxAttemptsPerHour = 10

var (
	codeJSON    kvstore.Codec[Code]     = kvstore.JSON[Code]{}
	attemptJSON kvstore.Codec[attempts] = kvstore.JSON[attempts]{}
	bannerKey                           = kvstore.Key("banner").Child("current")
	errTooMany                          = errors.New("promo: too many attempts")
)

func codeKey(code string) kvstore.Key { return kvstore.Key("code").Child(code) }

// Handler serves the /promo routes and their admin pages.
type Handler struct {
	promos kvstore.Namespace
	log    *slog.Logger
}

// NewHandler scopes shop to promo keys.
func NewHandler(shop kvstore.Namespace, log *slog.Logger, m *kvstore.Metrics) *Handler {
	return &Handler{
		promos: kvstore.Stack(shop, kvstore.WithPrefix("promo:"), kvstore.WithMetrics(m)),
		log:    log,
	}
}

// Register adds the promo routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /promo/{code}/redeem", h.redeem)
	mux.HandleFunc("GET /admin/promo/codes", h.listCodes)
	mux.HandleFunc("GET /admin/promo/export", h.export)
	mux.HandleFunc("PUT /admin/promo/banner", h.setBanner)
}

func (h *Handler) redeem(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	code := strings.ToUpper(r.PathValue("code"))
	customer := r.Header.Get("X-Customer-ID")
	checkoutID := r.FormValue("checkout")
	if err := h.countAttempt(ctx, customer); err != nil {
		status := http.StatusBadGateway
		if errors.Is(err, errTooMany) {
			status = http.StatusTooManyRequests
		}
		web.Fail(w, r, status, err)
		return
	}

	def, err := kvstore.Load(ctx, h.promos, codeKey(code), codeJSON)
	now := time.Now()
	if err != nil || def.Code == "" || now.After(def.ValidUntil) {
		web.Fail(w, r, http.StatusNotFound, err)
		return
	}

	claim := kvstore.Key("redeemed").Child(code).Child(customer)
	if who, err := h.promos.Get(ctx, claim); err != nil || who != kvstore.Missing {
		web.Fail(w, r, http.StatusConflict, err)
		return
	}
	if err := h.promos.Put(ctx, claim, customer, 0); err != nil { // EXPECT kvrace
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	defer func() {
		def.LastRedeemedAt = now
		def.RedeemedBy = append(def.RedeemedBy, customer)
		if err := kvstore.Save(context.WithoutCancel(ctx), h.promos, codeKey(code), def, codeJSON, 0); err != nil { // EXPECT kvrace
			h.log.WarnContext(ctx, "promo audit not saved", "code", code, "err", err)
		}
	}()

	if err := h.bumpUses(ctx, def.Campaign); err != nil {
		h.log.WarnContext(ctx, "campaign usage not recorded", "campaign", def.Campaign, "err", err)
	}
	hold := kvstore.Key("hold").Child(code).Child(checkoutID)
	if err := h.promos.Put(ctx, hold, customer, config.PromoHoldTTL); err != nil {
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]any{"code": code, "percent_off": def.PercentOff})
}

// countAttempt refuses a customer's eleventh redemption attempt in an hour.
func (h *Handler) countAttempt(ctx context.Context, customer string) error {
	key := kvstore.Opaque("attempts", []byte(customer))
	a, err := kvstore.Load(ctx, h.promos, key, attemptJSON)
	if err != nil {
		return err
	}
	if a.Count >= maxAttemptsPerHour {
		return errTooMany
	}
	if a.First.IsZero() {
		a.First = time.Now()
	}
	a.Count++
	return kvstore.Save(ctx, h.promos, key, a, attemptJSON, time.Hour) // EXPECT kvcounter
}

// bumpUses records one more redemption for the campaign's dashboard.
func (h *Handler) bumpUses(ctx context.Context, campaign string) error {
	key := kvstore.Key("uses").Child(campaign)
	cur, err := h.promos.Get(ctx, key)
	if err != nil {
		return err
	}
	var n int64
	if cur != kvstore.Missing {
		if n, err = strconv.ParseInt(cur, 10, 64); err != nil {
			return err
		}
	}
	return h.promos.Put(ctx, key, strconv.FormatInt(n+1, 10), 0) // EXPECT kvcounter
}

func (h *Handler) setBanner(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<10))
	if err != nil {
		web.Fail(w, r, http.StatusBadRequest, err)
		return
	}
	if err := h.promos.Put(r.Context(), bannerKey, string(body), // DEBATABLE kvhotkey
		config.TTL("banner")); err != nil { // EXPECT kvttl
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listCodes returns one page of codes and the cursor for the next.
func (h *Handler) listCodes(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	limit = min(max(cmp.Or(limit, 100), 1), 1000)
	page, err := h.promos.List(r.Context(), kvstore.ListOptions{Prefix: "code:", Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]any{"keys": page.Keys, "cursor": page.Cursor, "complete": page.Complete})
}

// export writes every code of a campaign as CSV for the finance team.
func (h *Handler) export(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	campaign := r.URL.Query().Get("campaign")
	page, err := h.promos.List(ctx, kvstore.ListOptions{Prefix: "code:"}) // EXPECT kvlist
	if err != nil {
		web.Fail(w, r, http.StatusBadGateway, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv")
	out := csv.NewWriter(w)
	out.Write([]string{"code", "campaign", "percent_off", "valid_until", "redeemed_by"})
	for _, e := range page.Keys {
		c, err := kvstore.Load(ctx, h.promos, e.Name, codeJSON) // EXPECT kvlist
		if err != nil {
			h.log.WarnContext(ctx, "export: skipping code", "key", e.Name, "err", err)
			continue
		}
		if campaign != "" && c.Campaign != campaign {
			continue
		}
		out.Write([]string{c.Code, c.Campaign, strconv.Itoa(c.PercentOff),
			c.ValidUntil.Format(time.DateOnly), strings.Join(c.RedeemedBy, " ")})
	}
	out.Flush()
}
