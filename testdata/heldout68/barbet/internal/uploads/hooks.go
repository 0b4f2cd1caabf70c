// Package uploads holds the tusd callbacks that admit, reserve and finish
// resumable uploads, and the goroutines that follow tusd's notifications.
package uploads

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tus/tusd/v2/pkg/handler"

	"github.com/barbet-video/barbet/internal/kvstore"
	"github.com/barbet-video/barbet/internal/policy"
)

var (
	errNoTicket      = handler.NewError("ERR_TICKET_REQUIRED", "upload ticket and account are required", http.StatusUnauthorized)
	errTicketUnknown = handler.NewError("ERR_TICKET_UNKNOWN", "upload ticket is unknown or expired", http.StatusForbidden)
	errTooLarge      = handler.NewError("ERR_TICKET_SIZE", "upload exceeds the ticket's size", http.StatusRequestEntityTooLarge)
	errOverQuota     = handler.NewError("ERR_QUOTA", "account quota exhausted", http.StatusForbidden)
)

// Ticket is an upload ticket minted by the API and presented by the client in
// the Upload-Metadata header.
type Ticket struct {
	Account   string    `json:"account"`
	MaxBytes  int64     `json:"max_bytes"`
	ExpiresAt time.Time `json:"expires_at"`
	Parts     []int     `json:"parts,omitempty"`
}

// Plan is the billing plan of an account as mirrored into KV by billing.
type Plan struct {
	Name             string   `json:"name"`
	MaxBytes         int64    `json:"max_bytes"`
	Suspended        bool     `json:"suspended"`
	AllowedCountries []string `json:"allowed_countries"`
}

var defaultPlan = Plan{Name: "free", MaxBytes: 5 << 30}

// Upload is the record the API and the transcoder share.
type Upload struct {
	ID          string    `json:"id"`
	Account     string    `json:"account"`
	Size        int64     `json:"size"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Status      string    `json:"status"`
	FinishedAt  time.Time `json:"finished_at"`
}

// Recent lists an account's latest uploads, newest first.
type Recent struct {
	IDs []string `json:"ids"`
}

// Hooks implements tusd's pre-create and pre-finish callbacks.
type Hooks struct {
	Tickets  *kvstore.Namespace // tickets, upload records, locks
	Accounts *kvstore.Namespace // plans and usage
	Policy   *policy.Engine
	Log      *slog.Logger
	Instance string

	mu      sync.Mutex
	pending map[string]int64
	totals  map[string]int64
	day     string
}

func ticketKey(id string) string  { return "ticket/" + id }
func uploadKey(id string) string  { return "upload/" + id }
func usageKey(acct string) string { return "quota/used/" + acct }
func planKey(acct string) string  { return "plan/" + acct }
func recentKey(acct string) string {
	return "account/" + acct + "/recent"
}

func newUploadID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// PreCreate admits an upload: the ticket must exist and belong to the account,
// and the quota policy must agree. The bytes are reserved before tusd creates
// the upload.
func (h *Hooks) PreCreate(ev handler.HookEvent) (handler.HTTPResponse, handler.FileInfoChanges, error) {
	ctx := ev.Context
	meta := ev.Upload.MetaData
	ticketID, account := meta["ticket"], meta["account"]
	if ticketID == "" || account == "" {
		return handler.HTTPResponse{}, handler.FileInfoChanges{}, errNoTicket
	}

	var t Ticket
	if err := h.Tickets.GetJSON(ctx, ticketKey(ticketID), &t); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return handler.HTTPResponse{}, handler.FileInfoChanges{}, errTicketUnknown
		}
		return handler.HTTPResponse{}, handler.FileInfoChanges{}, err
	}
	if t.Account != account || time.Now().After(t.ExpiresAt) {
		return handler.HTTPResponse{}, handler.FileInfoChanges{}, errTicketUnknown
	}
	if t.MaxBytes > 0 && ev.Upload.Size > t.MaxBytes {
		return handler.HTTPResponse{}, handler.FileInfoChanges{}, errTooLarge
	}

	plan, err := h.loadPlan(ctx, account)
	if err != nil {
		return handler.HTTPResponse{}, handler.FileInfoChanges{}, err
	}

	var used int64
	switch raw, err := h.Accounts.Get(ctx, usageKey(account)); {
	case err == nil:
		used, _ = strconv.ParseInt(string(raw), 10, 64)
	case errors.Is(err, kvstore.ErrNotFound):
	default:
		return handler.HTTPResponse{}, handler.FileInfoChanges{}, err
	}

	ok, err := h.Policy.AllowUpload(policy.Activation{
		"account": map[string]any{
			"plan": plan.Name, "suspended": plan.Suspended,
			"max_bytes": plan.MaxBytes, "allowed_countries": plan.AllowedCountries,
		},
		"upload": map[string]any{"size": ev.Upload.Size, "filetype": meta["filetype"]},
		"usage":  map[string]any{"bytes": used, "uploads_today": int64(0)},
		"client": map[string]any{
			"country": ev.HTTPRequest.Header.Get("CF-IPCountry"),
			"asn":     asn(ev.HTTPRequest.Header.Get("X-Barbet-ASN")),
		},
		"link":   map[string]any{"requested": int64(0)},
		"report": map[string]any{},
	})
	if err != nil {
		return handler.HTTPResponse{}, handler.FileInfoChanges{}, err
	}
	if !ok {
		return handler.HTTPResponse{}, handler.FileInfoChanges{}, errOverQuota
	}

	reserved := used + max(ev.Upload.Size, 0)
	if err := h.Accounts.Put(ctx, usageKey(account), []byte(strconv.FormatInt(reserved, 10)), 0); err != nil { // EXPECT kvcounter|kvrace
		return handler.HTTPResponse{}, handler.FileInfoChanges{}, err
	}

	id := newUploadID()
	if err := h.Tickets.Put(ctx, uploadKey(id)+"/owner", []byte(account), 7*24*time.Hour); err != nil {
		return handler.HTTPResponse{}, handler.FileInfoChanges{}, err
	}
	if err := h.Tickets.Put(ctx, "stats/last-create", []byte(time.Now().UTC().Format(time.RFC3339)), 0); err != nil { // EXPECT kvhotkey
		h.Log.Warn("stats write failed", "err", err)
	}

	keep := handler.MetaData{
		"account":  account,
		"ticket":   ticketID,
		"filename": meta["filename"],
		"filetype": meta["filetype"],
	}
	if r := meta["retain_until"]; r != "" {
		keep["retain_until"] = r
	}
	return handler.HTTPResponse{}, handler.FileInfoChanges{ID: id, MetaData: keep}, nil
}

// loadPlan returns the account's plan. Accounts that billing has not mirrored
// yet get the free plan, which is recorded so the edge sees it too.
func (h *Hooks) loadPlan(ctx context.Context, account string) (Plan, error) {
	raw, err := h.Accounts.Get(ctx, planKey(account)) // EXPECT kvnull
	if err != nil {
		b, _ := json.Marshal(defaultPlan)
		return defaultPlan, h.Accounts.Put(ctx, planKey(account), b, 0)
	}
	var p Plan
	if err := json.Unmarshal(raw, &p); err != nil {
		return Plan{}, err
	}
	return p, nil
}

// PreFinish runs once tusd holds every byte, before it answers the last PATCH.
func (h *Hooks) PreFinish(ev handler.HookEvent) (handler.HTTPResponse, error) {
	ctx := ev.Context
	id := ev.Upload.ID
	meta := ev.Upload.MetaData

	lockKey := "lock/finish/" + id
	if _, err := h.Tickets.Get(ctx, lockKey); err == nil {
		return handler.HTTPResponse{StatusCode: http.StatusConflict, Body: "finish already in progress\n"}, nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return handler.HTTPResponse{}, err
	}
	if err := h.Tickets.Put(ctx, lockKey, []byte(h.Instance), 2*time.Minute); err != nil { // EXPECT kvrace
		return handler.HTTPResponse{}, err
	}

	rec := Upload{
		ID:          id,
		Account:     meta["account"],
		Size:        ev.Upload.Size,
		Filename:    meta["filename"],
		ContentType: meta["filetype"],
		Status:      "queued",
		FinishedAt:  time.Now().UTC(),
	}
	retain := 30 * 24 * time.Hour
	if s := meta["retain_until"]; s != "" {
		if until, err := time.Parse(time.RFC3339, s); err == nil {
			retain = time.Until(until)
		}
	}
	if err := h.Tickets.PutJSON(ctx, uploadKey(id), rec, retain); err != nil { // EXPECT kvttl
		return handler.HTTPResponse{}, err
	}

	if err := h.Tickets.Delete(ctx, ticketKey(meta["ticket"])); err != nil { // EXPECT kvsession
		h.Log.Warn("ticket not released", "upload", id, "err", err)
	}

	err := kvstore.Update(ctx, h.Accounts, recentKey(rec.Account), 0, func(r *Recent) error {
		r.IDs = append([]string{id}, r.IDs...)
		if len(r.IDs) > 50 {
			r.IDs = r.IDs[:50]
		}
		return nil
	})
	if err != nil {
		h.Log.Warn("recent list not updated", "account", rec.Account, "err", err)
	}
	return handler.HTTPResponse{Header: handler.HTTPHeader{"X-Barbet-Upload": id}}, nil
}

func asn(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimPrefix(strings.ToUpper(s), "AS"), 10, 64)
	return n
}
