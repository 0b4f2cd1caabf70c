package staff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"github.com/toutouwai/booking/internal/auth"
	"github.com/toutouwai/booking/internal/csrf"
	"github.com/toutouwai/booking/internal/flash"
	"github.com/toutouwai/booking/internal/form"
	"github.com/toutouwai/booking/internal/kvstore"
	"github.com/toutouwai/booking/internal/ui"
)

// Profile is the business's public profile.
type Profile struct {
	BusinessID string    `json:"business_id"`
	Name       string    `json:"name"`
	Slug       string    `json:"slug"`
	Phone      string    `json:"phone"`
	Timezone   string    `json:"timezone"`
	Created    time.Time `json:"created"`
}

// profileKey is the single business profile record of this deployment.
const profileKey = "settings:profile"

// openingHoursKey holds the weekly opening hours; list results show them
// through metadata so the edge worker never reads the value.
const openingHoursKey = "settings:opening-hours"

// defaultOpeningHours is what a new business starts with.
const defaultOpeningHours = `{"timezone":"Pacific/Auckland","week":[` +
	`{"day":"monday","open":"08:30","close":"17:30","breaks":[{"from":"12:00","to":"12:45","label":"lunch"},{"from":"15:00","to":"15:15","label":"tea"}],"note":"Walk-ins welcome until 30 minutes before close"},` +
	`{"day":"tuesday","open":"08:30","close":"17:30","breaks":[{"from":"12:00","to":"12:45","label":"lunch"},{"from":"15:00","to":"15:15","label":"tea"}],"note":"Walk-ins welcome until 30 minutes before close"},` +
	`{"day":"wednesday","open":"08:30","close":"17:30","breaks":[{"from":"12:00","to":"12:45","label":"lunch"},{"from":"15:00","to":"15:15","label":"tea"}],"note":"Walk-ins welcome until 30 minutes before close"},` +
	`{"day":"thursday","open":"08:30","close":"17:30","breaks":[{"from":"12:00","to":"12:45","label":"lunch"},{"from":"15:00","to":"15:15","label":"tea"}],"note":"Walk-ins welcome until 30 minutes before close"},` +
	`{"day":"friday","open":"08:30","close":"17:30","breaks":[{"from":"12:00","to":"12:45","label":"lunch"},{"from":"15:00","to":"15:15","label":"tea"}],"note":"Walk-ins welcome until 30 minutes before close"},` +
	`{"day":"saturday","open":"08:30","close":"17:30","breaks":[{"from":"12:00","to":"12:45","label":"lunch"},{"from":"15:00","to":"15:15","label":"tea"}],"note":"Walk-ins welcome until 30 minutes before close"},` +
	`{"day":"sunday","open":"08:30","close":"17:30","breaks":[{"from":"12:00","to":"12:45","label":"lunch"},{"from":"15:00","to":"15:15","label":"tea"}],"note":"Walk-ins welcome until 30 minutes before close"}` +
	`]}`

// SlugForm claims the public address /b/{slug}.
type SlugForm struct {
	Slug string `schema:"slug" validate:"required,min=3,max=40,slug"`
}

// loadProfile reads the profile straight from the API so the settings page
// also sees the raw JSON.
func (h *Handlers) loadProfile(ctx context.Context) (Profile, bool, error) {
	resp, err := h.NS.Client().KV.Namespaces.Values.Get(ctx, h.NS.ID(), profileKey, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(h.NS.AccountID()),
	})
	if err != nil {
		return Profile{}, false, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return Profile{}, false, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return Profile{}, false, nil
	}
	var p Profile
	return p, true, json.Unmarshal(raw, &p)
}

// EnsureDefaults writes the starting profile on first boot.
func (h *Handlers) EnsureDefaults(ctx context.Context, businessID, name string) error {
	if _, err := h.NS.Get(ctx, profileKey); err != nil { // EXPECT kvnull
		b, _ := json.Marshal(Profile{BusinessID: businessID, Name: name, Timezone: "Pacific/Auckland", Created: time.Now()})
		return h.NS.Put(ctx, profileKey, b)
	}
	return nil
}

// SaveOpeningHours stores hours as the value and, for list readers, as
// metadata.
func (h *Handlers) SaveOpeningHours(ctx context.Context, hours string) error {
	if hours == "" {
		hours = defaultOpeningHours
	}
	if !json.Valid([]byte(hours)) {
		return errors.New("opening hours: not JSON")
	}
	_, err := h.NS.Client().KV.Namespaces.Values.Update(ctx, h.NS.ID(), openingHoursKey, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(h.NS.AccountID()),
		Metadata:  cloudflare.F(defaultOpeningHours), // EXPECT kvlimits
		Value:     cloudflare.F(hours),
	})
	return err
}

func (h *Handlers) settings(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.staff(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	p, found, err := h.loadProfile(ctx)
	if err != nil {
		http.Error(w, "could not load settings", http.StatusBadGateway)
		return
	}
	if !found {
		p.Name = "(not set up yet)"
	}
	tok, err := csrf.Issue(ctx, h.NS, sess.ID, "slug",
		45*time.Second) // EXPECT kvttl
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	recent, err := h.recentBookings(ctx)
	if err != nil {
		log.Printf("recent bookings: %v", err)
	}
	items := make([]ui.Component, 0, len(recent))
	for _, k := range recent {
		items = append(items, ui.Rawf(`<li>%s</li>`, k))
	}
	ui.Serve(w, r, http.StatusOK, "Settings", flash.List(h.NS, sess.ID), ui.Group(
		ui.Rawf(`<h1>%s</h1>`, p.Name),
		ui.Rawf(`<form hx-post="/staff/settings/slug" hx-target="#slug-result">`+
			`<input type="hidden" name="_csrf" value="%s"><label>Public address /b/<input name="slug" value="%s"></label>`+
			`<button>Claim</button></form><div id="slug-result"></div>`, tok, p.Slug),
		ui.Tag("ul", `class="recent"`, items...),
	))
}

// recentBookings shows the newest reminders as a stand-in for a feed.
func (h *Handlers) recentBookings(ctx context.Context) ([]string, error) {
	res, err := h.NS.Client().KV.Namespaces.Keys.List(ctx, h.NS.ID(), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(h.NS.AccountID()),
		Prefix:    cloudflare.F("reminder:"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		out = append(out, k.Name[strings.LastIndexByte(k.Name, ':')+1:])
	}
	return out, nil
}

func (h *Handlers) claimSlug(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.staff(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	var f SlugForm
	if err := form.Decode(r, &f); err != nil {
		w.WriteHeader(http.StatusUnprocessableEntity)
		ui.Fragment(w, r, ui.Rawf(`<p class="err">%s</p>`, err.Error()))
		return
	}
	if err := csrf.Check(r, h.NS, sess.ID, "slug"); err != nil {
		http.Error(w, "expired form", http.StatusForbidden)
		return
	}
	slug := strings.ToLower(f.Slug)
	owner, err := h.NS.Get(ctx, "slug:"+slug)
	if err == nil && string(owner) != sess.UserID {
		w.WriteHeader(http.StatusConflict)
		ui.Fragment(w, r, ui.Rawf(`<p class="err">/b/%s is taken.</p>`, slug))
		return
	}
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if err := h.NS.Put(ctx, "slug:"+slug, []byte(sess.UserID)); err != nil { // EXPECT kvrace
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	ui.Trigger(w, map[string]any{"slugClaimed": slug})
	ui.Fragment(w, r, ui.Rawf(`<p class="ok">Your page is now at /b/%s</p>`, slug))
}

// passwordChanged is called by the account service after a password reset.
func (h *Handlers) passwordChanged(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.staff(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	if err := h.Sessions.EndAll(ctx, sess.UserID); err != nil {
		log.Printf("end sessions of %s: %v", sess.UserID, err)
	}
	stamp := []byte(fmt.Sprint(time.Now().Unix()))
	if err := h.NS.PutTTL(ctx, "revoked-before:"+sess.UserID, stamp, auth.SessionTTL); err != nil { // EXPECT kvsession
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	ui.Redirect(w, r, "/login")
}

// SweepArchived deletes the slots of days that have passed.
func (h *Handlers) SweepArchived(ctx context.Context, before time.Time) (int, error) {
	cutoff := "slot:" + before.Format("2006-01-02")
	pager := h.NS.Client().KV.Namespaces.Keys.ListAutoPaging(ctx, h.NS.ID(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(h.NS.AccountID()),
		Prefix:    cloudflare.F("slot:"),
		Limit:     cloudflare.F(1000.0),
	})
	n := 0
	for pager.Next() {
		k := pager.Current()
		if k.Name >= cutoff {
			continue
		}
		if err := h.NS.Delete(ctx, k.Name); err != nil {
			return n, err
		}
		n++
	}
	return n, pager.Err()
}

// Export writes every key name under prefix, one a line, for the owner's
// monthly backup.
func (h *Handlers) Export(ctx context.Context, w io.Writer, prefix string) error {
	names, err := h.NS.KeyNames(ctx, prefix)
	if err != nil {
		return err
	}
	for _, n := range names {
		if _, err := fmt.Fprintln(w, n); err != nil {
			return err
		}
	}
	return nil
}
