//go:build js && wasm

// Command edge is kittiwake's Cloudflare Worker: the player-facing API for
// sessions, lobbies, matchmaking, presence and daily quests.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/fetch"

	"kittiwake/internal/config"
	"kittiwake/internal/edgeapi"
	"kittiwake/internal/edgekv"
)

func env(name string) string {
	if v := cloudflare.Getenv(name); v != "<undefined>" && v != "<null>" {
		return v
	}
	return ""
}

// accounts calls the account service behind the Worker.
func accounts(ctx context.Context, method, path string, in any) ([]byte, error) {
	raw, _ := json.Marshal(in)
	req, err := fetch.NewRequest(ctx, method, env("ACCOUNTS_ORIGIN")+path, bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+env("ACCOUNTS_TOKEN"))
	res, err := fetch.NewClient().Do(req, nil)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode >= 300 {
		err = fmt.Errorf("accounts %s %s: %s", method, path, res.Status)
	}
	return out, err
}

func main() {
	cfg := config.Load(env)
	if err := edgekv.Open(cfg.KV); err != nil {
		panic(err)
	}
	edgeapi.VerifyPassword = func(ctx context.Context, player, password string) (bool, error) {
		out, err := accounts(ctx, http.MethodPost, "/verify", map[string]string{"player": player, "password": password})
		var v struct{ OK bool }
		if err == nil {
			err = json.Unmarshal(out, &v)
		}
		return v.OK, err
	}
	edgeapi.SetPassword = func(ctx context.Context, player, password string) error {
		_, err := accounts(ctx, http.MethodPut, "/players/"+player+"/password", map[string]string{"password": password})
		return err
	}
	edgeapi.SendMail = func(ctx context.Context, to, subject, body string) error {
		_, err := accounts(ctx, http.MethodPost, "/mail", map[string]string{"to": to, "subject": subject, "body": body})
		return err
	}
	edgeapi.FetchProfile = func(ctx context.Context, id string) ([]byte, error) {
		return accounts(ctx, http.MethodGet, "/players/"+id, nil)
	}

	mux := http.NewServeMux()
	edgeapi.Register(mux, cfg)
	cron.ScheduleTaskNonBlock(edgeapi.Scheduled())
	workers.Serve(mux)
}
