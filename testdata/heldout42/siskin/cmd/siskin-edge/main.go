//go:build js && wasm

// Command siskin-edge is the Cloudflare Worker in front of siskin.fm:
// download redirects, public and private feeds, sign-in and the public API.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"

	"github.com/siskinfm/siskin/internal/edge/analytics"
	"github.com/siskinfm/siskin/internal/edge/auth"
	"github.com/siskinfm/siskin/internal/edge/feeds"
	"github.com/siskinfm/siskin/internal/edge/limits"
	"github.com/siskinfm/siskin/internal/edge/privfeed"
	"github.com/siskinfm/siskin/internal/edgekv"
)

type originClient struct {
	base  string
	token string
}

func (o originClient) do(ctx context.Context, method, path string, body any) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, o.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+o.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return nil, fmt.Errorf("origin %s %s: %s", method, path, res.Status)
	}
	return io.ReadAll(res.Body)
}

func (o originClient) SendLink(ctx context.Context, to, link string) error {
	_, err := o.do(ctx, http.MethodPost, "/internal/mail/magic-link", map[string]string{"to": to, "link": link})
	return err
}

func (o originClient) creatorByEmail(ctx context.Context, email string) (string, error) {
	b, err := o.do(ctx, http.MethodPost, "/internal/creators/lookup", map[string]string{"email": email})
	if err != nil {
		return "", err
	}
	var out struct {
		ID string `json:"id"`
	}
	return out.ID, json.Unmarshal(b, &out)
}

func (o originClient) privateFeed(ctx context.Context, show, subscriberID string) ([]byte, error) {
	return o.do(ctx, http.MethodGet, "/internal/private-feeds/"+show+"/"+subscriberID, nil)
}

func main() {
	ns, err := edgekv.Open("SISKIN_KV")
	if err != nil {
		panic(err)
	}
	origin := originClient{base: cloudflare.Getenv("ORIGIN_URL"), token: cloudflare.Getenv("ORIGIN_TOKEN")}

	window, err := time.ParseDuration(cloudflare.Getenv("SISKIN_RATE_WINDOW"))
	if err != nil {
		window = time.Minute
	}
	maxReq, err := strconv.Atoi(cloudflare.Getenv("SISKIN_RATE_MAX"))
	if err != nil {
		maxReq = 120
	}
	limiter := limits.NewIPLimiter(ns, limits.Config{Max: maxReq, Window: window})
	guard := limits.SignInGuard{NS: ns, Max: 5}

	signin := auth.New(ns, origin, origin.creatorByEmail, cloudflare.Getenv("PUBLIC_URL"))
	dl := analytics.New(ns, cloudflare.Getenv("CDN_URL"))
	pub := feeds.New(ns, origin.base)
	gate := privfeed.New(ns, origin.privateFeed)

	mux := http.NewServeMux()
	mux.Handle("/dl/", dl)
	mux.HandleFunc("/widget/live", dl.Widget)
	mux.Handle("/feeds/", limiter.Wrap(pub))
	mux.Handle("/private/", gate)
	mux.HandleFunc("/creator/", gate.Subscribers)
	mux.HandleFunc("/creator-export", gate.Export)
	mux.HandleFunc("POST /auth/link", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<10))
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		var peek struct {
			Email string `json:"email"`
		}
		_ = json.Unmarshal(body, &peek)
		if ok, err := guard.Check(r.Context(), peek.Email); err == nil && !ok {
			http.Error(w, "too many sign-in attempts", http.StatusTooManyRequests)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		signin.RequestLink(w, r)
	})
	mux.HandleFunc("GET /auth/verify", signin.Verify)
	mux.HandleFunc("GET /auth/poll", signin.Poll)
	mux.HandleFunc("POST /auth/logout", signin.Logout)
	mux.HandleFunc("POST /me/show", signin.SwitchShow)
	mux.HandleFunc("GET /me/devices", signin.Devices)
	mux.HandleFunc("GET /api/episodes/{show}/{ep}/total", func(w http.ResponseWriter, r *http.Request) {
		n, err := dl.EpisodeTotal(r.Context(), r.PathValue("show"), r.PathValue("ep"))
		if err != nil {
			http.Error(w, "unavailable", http.StatusBadGateway)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]int{"downloads": n})
	})
	mux.HandleFunc("POST /internal/publish/{show}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+origin.token {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		xml, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		show := r.PathValue("show")
		if len(xml) > 4<<20 {
			err = pub.Republish(r.Context(), show, xml)
		} else {
			err = pub.Publish(r.Context(), show, xml)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	workers.Serve(mux)
}
