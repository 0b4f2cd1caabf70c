// Package clinicops is the clinic-side backend: pharmacists move refill
// requests through their states, clinic admins manage their portal slug and
// plan, and support can revoke a patient's credentials.
package clinicops

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/canvasback/telehealth/internal/cfkv"
	"github.com/canvasback/telehealth/internal/codec"
	"github.com/canvasback/telehealth/internal/config"
	"github.com/canvasback/telehealth/internal/httpx"
)

// Package-level namespaces, set by cmd/canvasapi at start-up.
var (
	Refills  *cfkv.Values
	Clinics  *cfkv.Values
	Sessions *cfkv.Values
	Quota    *cfkv.Values
)

// Refill mirrors refill.Request as stored by the edge.
type Refill struct {
	ID        string        `json:"id"`
	PatientID string        `json:"patient_id"`
	ClinicID  string        `json:"clinic_id"`
	RxNumber  string        `json:"rx_number"`
	Status    string        `json:"status"`
	History   []RefillEvent `json:"history"`
	UpdatedAt time.Time     `json:"updated_at"`
}

type RefillEvent struct {
	At     time.Time `json:"at"`
	Status string    `json:"status"`
	By     string    `json:"by"`
}

var validNext = map[string][]string{
	"submitted": {"in_review", "denied"},
	"in_review": {"approved", "denied", "needs_visit"},
	"approved":  {"ready", "shipped"},
}

type SetStatusReq struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Pharmacist string `json:"pharmacist"`
}

// SetStatus moves a refill request to its next state.
func SetStatus(ctx context.Context, req SetStatusReq) (Refill, error) {
	cfg := config.Current()
	enc := codec.ByName(cfg.Refills.Encoder)
	key := "refill:" + req.ID
	raw, err := Refills.Read(ctx, key)
	if errors.Is(err, cfkv.ErrNotFound) {
		return Refill{}, httpx.Error(http.StatusNotFound, "no such refill")
	} else if err != nil {
		return Refill{}, err
	}
	var r Refill
	if err := enc.Decode(string(raw), &r); err != nil {
		return r, err
	}
	allowed := false
	for _, s := range validNext[r.Status] {
		allowed = allowed || s == req.Status
	}
	if !allowed {
		return r, httpx.Error(http.StatusConflict, "cannot move from "+r.Status+" to "+req.Status)
	}
	now := time.Now().UTC()
	r.Status, r.UpdatedAt = req.Status, now
	r.History = append(r.History, RefillEvent{At: now, Status: req.Status, By: req.Pharmacist})
	out, err := enc.Encode(r)
	if err != nil {
		return r, err
	}
	if err := Refills.Write(ctx, key, []byte(out), cfg.Refills.StatusTTL.Duration); err != nil { // EXPECT kvrace
		return r, err
	}
	httpx.Go(ctx, "status-change-feed", func(ctx context.Context) {
		_ = Refills.Write(ctx, "feed:last-status-change", []byte(r.ID+" "+r.Status), 0) // EXPECT kvhotkey
	})
	httpx.Go(ctx, "pharmacist-tally", func(ctx context.Context) {
		tallyKey := "pharmacist-count:" + req.Pharmacist + ":" + now.Format(time.DateOnly)
		prev, err := Refills.Read(ctx, tallyKey)
		if err != nil && !errors.Is(err, cfkv.ErrNotFound) {
			return
		}
		n, _ := strconv.Atoi(string(prev))
		_ = Refills.Write(ctx, tallyKey, []byte(strconv.Itoa(n+1)), 48*time.Hour) // EXPECT kvcounter|kvrace
	})
	return r, nil
}

type ClaimSlugReq struct {
	ClinicID string `json:"clinic_id"`
	Slug     string `json:"slug"`
}

// ClaimSlug reserves the clinic's portal address (portal.canvasback.health/<slug>).
func ClaimSlug(ctx context.Context, req ClaimSlugReq) (httpx.Empty, error) {
	key := "slug:" + req.Slug
	owner, err := Clinics.Read(ctx, key)
	switch {
	case err == nil && string(owner) != req.ClinicID:
		return httpx.Empty{}, httpx.Error(http.StatusConflict, "slug already taken")
	case err != nil && !errors.Is(err, cfkv.ErrNotFound):
		return httpx.Empty{}, err
	}
	return httpx.Empty{}, Clinics.Write(ctx, key, []byte(req.ClinicID), 0) // EXPECT kvrace
}

// Profile is the clinic's portal profile.
type Profile struct {
	ClinicID     string   `json:"clinic_id"`
	DisplayName  string   `json:"display_name"`
	Timezone     string   `json:"timezone"`
	RefillsOpen  bool     `json:"refills_open"`
	PharmacyNPIs []string `json:"pharmacy_npis"`
}

type ProfileReq struct {
	ClinicID    string  `json:"clinic_id"`
	DisplayName *string `json:"display_name,omitempty"`
	Timezone    *string `json:"timezone,omitempty"`
	RefillsOpen *bool   `json:"refills_open,omitempty"`
}

// UpdateProfile edits a clinic's portal profile.
func UpdateProfile(ctx context.Context, req ProfileReq) (Profile, error) {
	key := "profile:" + req.ClinicID
	p := Profile{ClinicID: req.ClinicID, Timezone: "America/Chicago", RefillsOpen: true}
	if raw, err := Clinics.Read(ctx, key); err == nil { // EXPECT kvnull
		_ = json.Unmarshal(raw, &p)
	}
	if req.DisplayName != nil {
		p.DisplayName = *req.DisplayName
	}
	if req.Timezone != nil {
		p.Timezone = *req.Timezone
	}
	if req.RefillsOpen != nil {
		p.RefillsOpen = *req.RefillsOpen
	}
	raw, _ := json.Marshal(p)
	return p, Clinics.Write(ctx, key, raw, 0) // EXPECT kvrace
}

type ProfileGetReq struct {
	ClinicID string `json:"clinic_id"`
}

// GetProfile returns the clinic profile, or 404.
func GetProfile(ctx context.Context, req ProfileGetReq) (Profile, error) {
	res, err := Clinics.Get(ctx, Clinics.NamespaceID, "profile:"+req.ClinicID, getParams(Clinics))
	if err != nil {
		return Profile{}, err
	}
	defer res.Body.Close()
	var p Profile
	body, err := readAll(res)
	if err != nil {
		return p, err
	}
	if len(body) > 0 { // EXPECT kvnull
		return p, json.Unmarshal(body, &p)
	}
	return p, httpx.Error(http.StatusNotFound, "no profile")
}

type PlanReq struct {
	ClinicID string `json:"clinic_id"`
	Monthly  int    `json:"monthly"`
}

// SetPlan records a clinic's monthly request allowance after billing changes.
func SetPlan(ctx context.Context, req PlanReq) (httpx.Empty, error) {
	return httpx.Empty{}, Quota.Write(ctx, "quota-allowance:"+req.ClinicID, []byte(strconv.Itoa(req.Monthly)), 0) // DEBATABLE kvcounter
}

type RevokeReq struct {
	PatientID string   `json:"patient_id"`
	TokenIDs  []string `json:"token_ids"`
	RefreshID string   `json:"refresh_id"`
}

type RevokeResp struct {
	Revoked int               `json:"revoked"`
	Failed  map[string]string `json:"failed,omitempty"`
}

// RevokeCredentials is used by support after a reported account takeover:
// every listed access token goes on the deny list and the refresh token is
// removed.
func RevokeCredentials(ctx context.Context, req RevokeReq) (RevokeResp, error) {
	out := RevokeResp{Failed: map[string]string{}}
	errs := make([]error, len(req.TokenIDs))
	var wg sync.WaitGroup
	for i, jti := range req.TokenIDs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = Sessions.Write(ctx, "revoked-token:"+jti, []byte(req.PatientID), 24*time.Hour) // EXPECT kvsession
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			out.Failed[req.TokenIDs[i]] = err.Error()
			continue
		}
		out.Revoked++
	}
	if req.RefreshID != "" {
		if err := Sessions.Remove(ctx, "refresh-token:"+req.RefreshID); err != nil { // EXPECT kvsession
			out.Failed[req.RefreshID] = err.Error()
		}
	}
	return out, nil
}

type BreakGlassReq struct {
	ClinicianID string `json:"clinician_id"`
	PatientID   string `json:"patient_id"`
	Reason      string `json:"reason"`
}

type BreakGlassResp struct {
	Grant string `json:"grant"`
}

// BreakGlass grants a clinician short emergency access to a patient chart.
func BreakGlass(ctx context.Context, req BreakGlassReq) (BreakGlassResp, error) {
	grant := req.ClinicianID + ":" + req.PatientID
	body, _ := json.Marshal(req)
	_, err := Sessions.Update(ctx, Sessions.NamespaceID, "break-glass:"+grant, cfkv.UpdateArgs{
		AccountID:     cloudflare.F(Sessions.AccountID),
		Value:         cloudflare.F(string(body)),
		ExpirationTTL: cloudflare.F(30.0), // EXPECT kvttl
	})
	return BreakGlassResp{Grant: grant}, err
}

type NoticeReq struct {
	ClinicID string `json:"clinic_id"`
	Text     string `json:"text"`
	Until    int64  `json:"until"`
}

// PostNotice shows a banner on the clinic's portal until a given time.
func PostNotice(ctx context.Context, req NoticeReq) (httpx.Empty, error) {
	_, err := Clinics.Update(ctx, Clinics.NamespaceID, "notice:"+req.ClinicID, cfkv.UpdateArgs{
		AccountID:  cloudflare.F(Clinics.AccountID),
		Value:      cloudflare.F(req.Text),
		Expiration: cloudflare.F(float64(time.Now().Add(7 * 24 * time.Hour).UnixMilli())), // EXPECT kvttl
	})
	return httpx.Empty{}, err
}

// PostHoliday posts the standard holiday-closure banner for 36 hours.
func PostHoliday(ctx context.Context, req NoticeReq) (httpx.Empty, error) {
	_, err := Clinics.Update(ctx, Clinics.NamespaceID, "notice:"+req.ClinicID, cfkv.UpdateArgs{
		AccountID:  cloudflare.F(Clinics.AccountID),
		Value:      cloudflare.F(req.Text),
		Expiration: cloudflare.F(float64(time.Now().Add(36 * time.Hour).Unix())),
	})
	return httpx.Empty{}, err
}

// WarmProfileCache copies the profile into the edge cache key.
func WarmProfileCache(ctx context.Context, req ProfileGetReq) (httpx.Empty, error) {
	raw, err := Clinics.Read(ctx, "profile:"+req.ClinicID)
	if err != nil {
		return httpx.Empty{}, err
	}
	return httpx.Empty{}, Clinics.WriteCache(ctx, "profile-cache:"+req.ClinicID, raw, 30*time.Second)
}

// PublishPriceSheet caches the clinic's cash-price sheet for the portal.
func PublishPriceSheet(ctx context.Context, req NoticeReq) (httpx.Empty, error) {
	return httpx.Empty{}, Clinics.Write(ctx, "prices:"+req.ClinicID, []byte(req.Text), 45*time.Second) // EXPECT kvttl
}

func getParams(v *cfkv.Values) kv.NamespaceValueGetParams {
	return kv.NamespaceValueGetParams{AccountID: cloudflare.F(v.AccountID)}
}

func readAll(res *http.Response) ([]byte, error) { return io.ReadAll(io.LimitReader(res.Body, 1<<20)) }
