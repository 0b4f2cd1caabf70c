package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
	"github.com/samber/lo"
	"golang.org/x/time/rate"
)

const (
	ticketPrefix  = "mm/ticket:"
	sessionPrefix = "auth/sess:"
	lobbyPrefix   = "lobby/lobby:"
	invitePrefix  = "lobby/invite:"
	feedPrefix    = "lb/feed:"
	maxPages      = 50
)

func (j *job) put(ctx context.Context, key string, value []byte, ttl int) error {
	if j.dryRun {
		log.Printf("dry-run put %s (%d bytes)", key, len(value))
		return nil
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(j.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(ttl))
	}
	_, err := j.api.KV.Namespaces.Values.Update(ctx, j.namespace, key, params)
	return err
}

func (j *job) get(ctx context.Context, key string) ([]byte, error) {
	resp, err := j.api.KV.Namespaces.Values.Get(ctx, j.namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(j.accountID)})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// canary checks that the token can write to the namespace.
func (j *job) canary(ctx context.Context) error {
	stamp := time.Now().UTC().Format(time.RFC3339)
	_, err := j.api.KV.Namespaces.Values.Update(ctx, j.namespace, ".", kv.NamespaceValueUpdateParams{ // EXPECT kvlimits
		AccountID:     cloudflare.F(j.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(stamp)),
		ExpirationTTL: cloudflare.F(300.0),
	})
	return err
}

// sample logs a few session keys so on-call can eyeball the key format.
func (j *job) sample(ctx context.Context) error {
	page, err := j.api.KV.Namespaces.Keys.List(ctx, j.namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(j.accountID),
		Prefix:    cloudflare.F(sessionPrefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		log.Printf("sample: %s expires=%v", k.Name, time.Unix(int64(k.Expiration), 0))
	}
	return nil
}

// sweepTickets deletes tickets whose player has been queued for over an hour.
func (j *job) sweepTickets(ctx context.Context) error {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(j.accountID),
		Prefix:    cloudflare.F(ticketPrefix),
		Limit:     cloudflare.F(1000.0),
	}
	swept := 0
	for {
		page, err := j.api.KV.Namespaces.Keys.List(ctx, j.namespace, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			meta, _ := k.Metadata.(map[string]any)
			queued, _ := meta["queued"].(float64)
			if time.Since(time.Unix(int64(queued), 0)) < time.Hour {
				continue
			}
			if _, err := j.api.KV.Namespaces.Values.Delete(ctx, j.namespace, k.Name, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(j.accountID)}); err != nil && !isNotFound(err) {
				return err
			}
			swept++
		}
		if err := j.put(ctx, "reaper:tickets-cursor", []byte(page.ResultInfo.Cursor), 3600); err != nil { // EXPECT kvhotkey
			return err
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	log.Printf("tickets: swept %d", swept)
	return nil
}

// auditSessions logs sessions that belong to staff accounts.
func (j *job) auditSessions(ctx context.Context) error {
	iter := j.api.KV.Namespaces.Keys.ListAutoPaging(ctx, j.namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(j.accountID),
		Prefix:    cloudflare.F(sessionPrefix),
	})
	staff := 0
	for iter.Next() {
		raw, err := j.get(ctx, iter.Current().Name) // EXPECT kvlist
		if err != nil {
			continue
		}
		var s struct {
			Player string `json:"player"`
			Role   string `json:"role"`
		}
		if json.Unmarshal(raw, &s) == nil && s.Role == "staff" {
			staff++
			log.Printf("staff session for %s", s.Player)
		}
	}
	log.Printf("sessions: %d staff sessions", staff)
	return iter.Err()
}

// exportLobbies writes a snapshot of open lobbies for the analytics team,
// using the summary kept in each key's metadata.
func (j *job) exportLobbies(ctx context.Context) error {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(j.accountID),
		Prefix:    cloudflare.F(lobbyPrefix),
		Limit:     cloudflare.F(1000.0),
	}
	enc := json.NewEncoder(os.Stdout)
	for range maxPages {
		page, err := j.api.KV.Namespaces.Keys.List(ctx, j.namespace, params)
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			_ = enc.Encode(map[string]any{"key": k.Name, "meta": k.Metadata, "expires": k.Expiration})
		}
		if page.ResultInfo.Cursor == "" {
			return nil
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	log.Printf("lobbies: stopped after %d pages", maxPages)
	return nil
}

// pruneResults removes per-player result feeds for accounts that were
// deleted. It pages through the feed keys at one page per second.
func (j *job) pruneResults(ctx context.Context) error {
	limiter := rate.NewLimiter(rate.Every(time.Second), 1)
	cursor := ""
	for page := 0; page < maxPages; page++ {
		if err := limiter.Wait(ctx); err != nil {
			return err
		}
		params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(j.accountID), Limit: cloudflare.F(500.0)}
		if cursor == "" {
			params.Prefix = cloudflare.F(feedPrefix)
		} else {
			params.Cursor = cloudflare.F(cursor)
		}
		res, err := j.api.KV.Namespaces.Keys.List(ctx, j.namespace, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		gone := lo.FilterMap(res.Result, func(k kv.Key, _ int) (string, bool) {
			return k.Name, strings.HasSuffix(k.Name, ":deleted")
		})
		if len(gone) > 0 && !j.dryRun {
			if _, err := j.api.KV.Namespaces.BulkDelete(ctx, j.namespace, kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(j.accountID), Body: gone}); err != nil {
				return err
			}
		}
		if err := j.put(ctx, "reaper:results-progress", []byte(strconv.Itoa(page)), 3600); err != nil {
			return err
		}
		if cursor = res.ResultInfo.Cursor; cursor == "" {
			return nil
		}
	}
	return nil
}

// backfillInvites writes the invite codes exported by the old matchmaking
// service.
func (j *job) backfillInvites(ctx context.Context) error {
	f, err := os.Open("invites.json")
	if err != nil {
		return err
	}
	defer f.Close()
	var codes map[string]string
	if err := json.NewDecoder(f).Decode(&codes); err != nil {
		return err
	}
	body := lo.MapToSlice(codes, func(code, lobbyID string) kv.NamespaceBulkUpdateParamsBody {
		return kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(invitePrefix + strings.ToUpper(code)),
			Value:         cloudflare.F(lobbyID),
			ExpirationTTL: cloudflare.F(float64(7 * 24 * 3600)),
		}
	})
	for _, chunk := range lo.Chunk(body, 20_000) { // EXPECT kvlimits
		res, err := j.api.KV.Namespaces.BulkUpdate(ctx, j.namespace, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(j.accountID), Body: chunk})
		if err != nil {
			return err
		}
		if len(res.UnsuccessfulKeys) > 0 {
			log.Printf("invites: %d keys failed", len(res.UnsuccessfulKeys))
		}
	}
	return nil
}

// publishHits publishes yesterday's edge hit total from the access logs.
func (j *job) publishHits(ctx context.Context) error {
	data, err := os.ReadFile("edge-access.log")
	if err != nil {
		return err
	}
	var perLine []int
	for line := range strings.Lines(string(data)) {
		fields := strings.Fields(line)
		if len(fields) < 3 || fields[1] != "GET" {
			continue
		}
		perLine = append(perLine, 1)
	}
	day := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	total := lo.Sum(perLine)
	return j.put(ctx, "stats:edge-hits:"+day, []byte(strconv.Itoa(total)), 90*24*3600) // EXPECT kvcounter
}

// ensureConfig makes sure the live-ops config exists, writing the defaults
// when it does not.
func (j *job) ensureConfig(ctx context.Context) error {
	const key = "config:live-ops"
	if _, err := j.get(ctx, key); err != nil { // EXPECT kvnull
		defaults := lo.Must(json.Marshal(map[string]any{"happy_hour": false, "xp_multiplier": 1.0}))
		return j.put(ctx, key, defaults, 0)
	}
	return nil
}

// rulesDigest is the ruleset summary shown next to every ranked lobby in
// the list view; it lives in the key's metadata so the browser needs no get.
const rulesDigest = "Ranked rules: matches are best of three rounds; each round lasts at most twelve minutes; " +
	"players who disconnect have ninety seconds to reconnect before forfeiting the round; " +
	"a party may hold at most four players and its rating is the highest member's rating plus a party bonus; " +
	"leaving a match in progress counts as a loss and adds a fifteen minute queue penalty that doubles on each repeat " +
	"within twenty-four hours; surrender votes need a unanimous vote in duos and four of five in squads; " +
	"ties are broken by total objective time, then by damage dealt, then by the lower average ping; " +
	"the map pool rotates every Tuesday at 09:00 UTC and banned maps are announced in the patch notes; " +
	"rank decay starts after fourteen days without a ranked match and removes twenty-five points per day down " +
	"to the floor of the current division; placement matches count double; reports of cheating are reviewed " +
	"within forty-eight hours and confirmed cheaters forfeit all rating gained in the season; smurf accounts are " +
	"matched by hardware fingerprint and merged into the main account's rating."

// publishRules writes the ranked ruleset with its digest in metadata.
func (j *job) publishRules(ctx context.Context) error {
	full, err := os.ReadFile("ranked-rules.md")
	if err != nil {
		return err
	}
	_, err = j.api.KV.Namespaces.Values.Update(ctx, j.namespace, "config:ranked-rules", kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(j.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(full)),
		Metadata:  cloudflare.F[any](map[string]string{"digest": rulesDigest}), // EXPECT kvlimits
	})
	return err
}

// revokeBanned adds the refresh tokens of banned players to the revocation
// list that the edge checks on every token exchange.
func (j *job) revokeBanned(ctx context.Context, path string) error {
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var body []kv.NamespaceBulkUpdateParamsBody
	for id := range strings.FieldsSeq(string(data)) {
		tokens, err := j.tokensOf(ctx, id)
		if err != nil {
			return fmt.Errorf("tokens of %s: %w", id, err)
		}
		for _, t := range tokens {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F("auth/revoked:" + t),
				Value:         cloudflare.F("banned"),
				ExpirationTTL: cloudflare.F(float64(30 * 24 * 3600)),
			})
		}
	}
	for _, chunk := range lo.Chunk(body, 10_000) {
		if _, err := j.api.KV.Namespaces.BulkUpdate(ctx, j.namespace, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(j.accountID), Body: chunk}); err != nil { // EXPECT kvsession
			return err
		}
	}
	return nil
}

// tokensOf returns the refresh tokens recorded for a player. The index is
// written by the API on login; a missing index means no tokens.
func (j *job) tokensOf(ctx context.Context, player string) ([]string, error) {
	raw, err := j.get(ctx, "auth/tokens-of:"+player)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return nil, nil
	}
	var tokens []string
	return tokens, json.Unmarshal(raw, &tokens)
}
