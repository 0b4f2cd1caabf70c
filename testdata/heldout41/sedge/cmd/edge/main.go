//go:build js && wasm

// Command edge is the Sedge Cloudflare Worker: diner login, holds, waitlist
// and venue pages.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"strings"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"sedge/internal/bus"
	"sedge/internal/config"
	"sedge/internal/diner"
	"sedge/internal/edgekv"
	"sedge/internal/httpx"
	"sedge/internal/tables"
	"sedge/internal/venue"
)

// loadSettings reads the settings document from KV. A missing document keeps
// the defaults.
func loadSettings(ns *kv.Namespace) (*config.Config, error) {
	raw, err := ns.GetString(config.SettingsKey, nil)
	if err != nil {
		return nil, err
	}
	if raw == "<null>" {
		return config.Defaults(), nil
	}
	return config.Parse([]byte(raw))
}

type relay struct {
	endpoint string
	token    string
}

func (r relay) post(payload map[string]string) error {
	body, _ := json.Marshal(payload)
	req, err := http.NewRequest(http.MethodPost, r.endpoint, strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("relay: %s", res.Status)
	}
	return nil
}

func (r relay) SendLink(to, link string) error {
	return r.post(map[string]string{"to": to, "template": "magic-link", "link": link})
}

func (r relay) Send(to, body string) error {
	return r.post(map[string]string{"to": to, "sms": body})
}

func googleExchange(code string) (string, error) {
	form := url.Values{"code": {code}, "client_id": {cloudflare.Getenv("GOOGLE_CLIENT_ID")}}
	res, err := http.PostForm("https://oauth2.googleapis.com/token", form)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var tok struct {
		Email string `json:"email"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil {
		return "", err
	}
	if tok.Email == "" {
		return "", errors.New("no email in token response")
	}
	return tok.Email, nil
}

func main() {
	live := config.NewLive()
	ns, err := kv.NewNamespace("SEDGE")
	if err != nil {
		log.Fatal(err)
	}
	if cfg, err := loadSettings(ns); err != nil {
		log.Printf("settings: %v; using defaults", err)
	} else {
		live.Store(cfg)
	}
	st, err := edgekv.Open("SEDGE", live)
	if err != nil {
		log.Fatal(err)
	}

	b := bus.New()
	mail := relay{endpoint: cloudflare.Getenv("RELAY_URL"), token: cloudflare.Getenv("RELAY_TOKEN")}
	diners := diner.NewService(st, b, live, mail, mail)
	diners.Subscribe(b, st)
	holds := tables.NewService(st, b, live)
	venues := venue.NewService(st, live)
	venues.Subscribe(b)
	sweeper := tables.NewSweeper(holds)

	mux := http.NewServeMux()
	routes := map[string]httpx.Handler{
		"POST /login/start":                  diners.StartLogin,
		"GET /login/verify":                  diners.VerifyLink,
		"POST /login/sms":                    diners.SendCode,
		"POST /login/sms/verify":             diners.VerifyCode,
		"GET /login/google":                  diners.OAuthStart,
		"GET /login/google/callback":         diners.OAuthCallback(googleExchange),
		"POST /logout":                       diners.Logout,
		"POST /logout/everywhere":            diners.SignOutEverywhere,
		"PUT /cart":                          diners.SaveCart,
		"POST /holds":                        holds.PlaceHold,
		"POST /holds/late":                   holds.KeepUntil,
		"POST /holds/extend":                 holds.Extend,
		"POST /holds/{venue}/{hold}/confirm": holds.Confirm,
		"GET /staff/{venue}/holds":           holds.StaffHolds,
		"GET /venues/{venue}/held":           holds.HeldCovers,
		"POST /waitlist":                     holds.JoinWaitlist,
		"GET /waitlist/{venue}/{party}":      holds.Position,
		"GET /waitlist/{venue}/board":        holds.BoardView,
		"POST /staff/seat":                   holds.Seat,
		"GET /notice/{party}":                holds.Notice,
		"GET /venues/{venue}/menu":           venues.MenuView,
		"GET /venues/{venue}/hours":          venues.HoursView,
		"GET /venues/{venue}/specials":       venues.SpecialsView,
		"GET /venues/{venue}/allergens":      venues.AllergenNote,
		"POST /staff/specials":               venues.PublishSpecials,
		"POST /staff/{venue}/menu/purge":     venues.InvalidateMenu,
		"GET /venues/{venue}/availability":   venues.Availability,
		"POST /staff/limits":                 venues.SetLimit,
	}
	for pattern, h := range routes {
		mux.Handle(pattern, h)
	}

	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		if cfg, err := loadSettings(ns); err == nil {
			live.Store(cfg)
		}
		var errs []error
		errs = append(errs, sweeper.Run(ctx))
		vs, err := st.WithPrefix(live.Load().KeyPrefix + "directory:").Lookup("venues")
		if err != nil {
			errs = append(errs, err)
		} else if raw, ok := vs.Get(); ok {
			errs = append(errs, venues.Digest(ctx, strings.Split(raw, ",")))
		}
		return errors.Join(errs...)
	})
	workers.Serve(mux)
}
