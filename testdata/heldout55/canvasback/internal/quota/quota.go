//go:build js && wasm

// Package quota enforces per-clinic daily request quotas on the patient API
// and a coarse per-IP limit on SMS sends.
package quota

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/canvasback/telehealth/internal/codec"
	"github.com/canvasback/telehealth/internal/config"
	"github.com/canvasback/telehealth/internal/edgekv"
	"github.com/canvasback/telehealth/internal/httpx"
)

// Store is the QUOTA binding; main sets it.
var Store *edgekv.Namespace

var errOverQuota = httpx.Error(http.StatusTooManyRequests, "clinic request quota exhausted for today")

// Usage is a clinic's usage for one UTC day.
type Usage struct {
	ClinicID string `json:"clinic_id"`
	Day      string `json:"day"`
	Requests int    `json:"requests"`
	Limit    int    `json:"limit"`
}

func usageKey(clinicID, day string) string { return "quota:" + clinicID + ":" + day }

func today() string { return time.Now().UTC().Format(time.DateOnly) }

// Charge counts one API request against the clinic's daily quota.
func Charge(clinicID string) (Usage, error) {
	cfg := config.Current()
	key := usageKey(clinicID, today())
	u := Usage{ClinicID: clinicID, Day: today(), Limit: cfg.Quota.DailyLimit}
	if raw, ok, err := Store.Lookup(key); err != nil {
		return u, err
	} else if ok {
		if err := (codec.JSON{}).Decode(raw, &u); err != nil {
			return u, err
		}
	}
	if u.Requests >= u.Limit {
		return u, errOverQuota
	}
	u.Requests++
	raw, err := codec.JSON{}.Encode(u)
	if err != nil {
		return u, err
	}
	return u, Store.PutString(key, raw, &edgekv.PutOptions{ExpirationTTL: int(cfg.Quota.Window.Seconds())}) // EXPECT kvcounter|kvrace
}

type UsageReq struct {
	ClinicID string `json:"clinic_id"`
}

// Current reports today's usage for a clinic dashboard.
func Current(ctx context.Context, req UsageReq) (Usage, error) {
	u := Usage{ClinicID: req.ClinicID, Day: today(), Limit: config.Current().Quota.DailyLimit}
	raw, ok, err := Store.Lookup(usageKey(req.ClinicID, u.Day))
	if err != nil || !ok {
		return u, err
	}
	return u, codec.JSON{}.Decode(raw, &u)
}

// Reset clears today's usage after support raises a clinic's plan.
func Reset(ctx context.Context, req UsageReq) (Usage, error) {
	cfg := config.Current()
	u := Usage{ClinicID: req.ClinicID, Day: today(), Limit: cfg.Quota.DailyLimit}
	raw, err := codec.JSON{}.Encode(u)
	if err != nil {
		return u, err
	}
	return u, Store.PutString(usageKey(req.ClinicID, u.Day), raw, &edgekv.PutOptions{ExpirationTTL: int(cfg.Quota.Window.Seconds())}) // EXPECT kvcounter
}

// AllowIP applies the SMS send limit for a client address: at most limit
// sends per ten minutes.
func AllowIP(ip string, limit int) (bool, error) {
	key := "sms-rate:" + ip
	raw, err := Store.GetString(key, nil)
	if err != nil {
		return false, err
	}
	n := 0
	if raw != edgekv.Null {
		if n, err = strconv.Atoi(raw); err != nil {
			n = 0
		}
	}
	if n >= limit {
		return false, nil
	}
	return true, Store.PutString(key, strconv.Itoa(n+1), &edgekv.PutOptions{ExpirationTTL: 600}) // EXPECT kvcounter|kvrace
}
