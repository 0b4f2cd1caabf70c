// Package admin implements the operator commands of gameadmin.
package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kv6"
	"example.com/dunlin/internal/season"
)

// Tool bundles what the commands need.
type Tool struct {
	C         *cloudflare.Client
	R         *kv6.Router
	Account   string
	Namespace string
	Sessions  string
	Keys      keys.Space
	Out       io.Writer
}

func (t *Tool) get(ctx context.Context, key string) (string, error) {
	res, err := t.C.KV.Namespaces.Values.Get(ctx, t.Namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(t.Account)})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

func (t *Tool) put(ctx context.Context, key, value string) error {
	_, err := t.C.KV.Namespaces.Values.Update(ctx, t.Namespace, key, kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(t.Account), Value: cloudflare.F(value)})
	return err
}

// ListPlayers prints every player id with its display name.
func (t *Tool) ListPlayers(ctx context.Context) error {
	iter := t.C.KV.Namespaces.Keys.ListAutoPaging(ctx, t.Namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(t.Account),
		Prefix:    cloudflare.F(t.Keys.PlayerPrefix()),
	})
	for iter.Next() {
		k := iter.Current()
		md, _ := k.Metadata.(map[string]any)
		fmt.Fprintf(t.Out, "%s\t%v\n", k.Name, md["name"])
	}
	return iter.Err()
}

// ExportPlayers prints at most limit player keys.
func (t *Tool) ExportPlayers(ctx context.Context, limit int) error {
	iter := t.C.KV.Namespaces.Keys.ListAutoPaging(ctx, t.Namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(t.Account),
		Prefix:    cloudflare.F(t.Keys.PlayerPrefix()),
		Limit:     cloudflare.F(float64(min(limit, 1000))),
	})
	for n := 0; n < limit && iter.Next(); n++ {
		fmt.Fprintln(t.Out, iter.Current().Name)
	}
	return iter.Err()
}

// InitSeason writes the preseason document into a fresh environment.
func (t *Tool) InitSeason(ctx context.Context) error {
	if _, err := t.get(ctx, t.Keys.SeasonCurrent()); err == nil { // EXPECT kvnull
		fmt.Fprintln(t.Out, "season already initialised")
		return nil
	}
	raw, _ := json.Marshal(season.Fallback())
	return t.put(ctx, t.Keys.SeasonCurrent(), string(raw))
}

// SetMultiplier changes one XP/currency multiplier of the live season.
func (t *Tool) SetMultiplier(ctx context.Context, name string, value float64) error {
	raw, err := t.R.Get(ctx, t.Keys.SeasonCurrent())
	if errors.Is(err, kv6.ErrNotFound) {
		return fmt.Errorf("no season published; run season-init first")
	}
	if err != nil {
		return err
	}
	var cfg season.Config
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		return err
	}
	if cfg.Multipliers == nil {
		cfg.Multipliers = map[string]float64{}
	}
	cfg.Multipliers[name] = value
	out, _ := json.Marshal(cfg)
	return t.R.Put(ctx, t.Keys.SeasonCurrent(), string(out), 0, nil) // EXPECT kvrace
}

// seasonRules is shown on the season info screen.
const seasonRules = `1. One account per player. Smurf accounts are banned together with the main account, and so are accounts that share payment details with it.
2. Ranked matches must be played to completion; leaving early counts as a loss and adds a queue delay that doubles with each repeat offence.
3. Boosting, account sharing and win trading void every reward earned during the season, including rewards already delivered to the account.
4. Exploits must be reported through the in-game form within 48 hours of discovery; using them in ranked or tournament play is bannable.
5. Third-party overlays that read game memory are forbidden. Voice, streaming and recording tools are allowed as long as they do not automate input.
6. Tournament lobbies follow the organiser's ruleset in addition to these rules; where they conflict, the stricter rule applies.
7. Names, emblems and chat must follow the community guidelines; offensive names are reset without notice and repeat offenders are muted.
8. Season rewards are granted within 72 hours after the season ends, based on the final snapshot. Appeals are final once reviewed by a second moderator.`

// PublishRules stores the rules version, with the text attached as metadata
// so the client can list it without a second read.
func (t *Tool) PublishRules(ctx context.Context, version string) error {
	return t.R.Put(ctx, t.Keys.SeasonAsset("rules"), version, 0,
		map[string]any{"version": version, "text": seasonRules}, // EXPECT kvlimits
	)
}

// Grant adds premium currency to a player's wallet.
func (t *Tool) Grant(ctx context.Context, player string, amount int) error {
	key := t.Keys.Wallet(player)
	balance := 0
	raw, err := t.get(ctx, key)
	switch {
	case err == nil:
		if balance, err = strconv.Atoi(raw); err != nil {
			return fmt.Errorf("wallet %s is corrupt: %w", player, err)
		}
	case !kv6.IsNotFound(err):
		return err
	}
	return t.put(ctx, key, strconv.Itoa(balance+amount)) // EXPECT kvcounter
}

// RevokeSession signs a session out, e.g. after an account compromise.
func (t *Tool) RevokeSession(ctx context.Context, sessionID string) error {
	_, err := t.C.KV.Namespaces.Values.Delete(ctx, t.Sessions, t.Keys.Session(sessionID), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(t.Account)}) // EXPECT kvsession
	return err
}

// DenyToken adds a refresh token id to the deny list checked by game servers.
func (t *Tool) DenyToken(ctx context.Context, jti string) error {
	_, err := t.C.KV.Namespaces.Values.Update(ctx, t.Sessions, t.Keys.Revoked(jti), kv.NamespaceValueUpdateParams{ // EXPECT kvsession
		AccountID:     cloudflare.F(t.Account),
		Value:         cloudflare.F(time.Now().UTC().Format(time.RFC3339)),
		ExpirationTTL: cloudflare.F((30 * 24 * time.Hour).Seconds()),
	})
	return err
}

// Row is one line of a bulk import.
type Row struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Import writes rows in bulk requests the API accepts.
func (t *Tool) Import(ctx context.Context, rows []Row) error {
	for chunk := range slices.Chunk(rows, 10_000) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, r := range chunk {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(r.Key), Value: cloudflare.F(r.Value)})
		}
		if _, err := t.C.KV.Namespaces.BulkUpdate(ctx, t.Namespace, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(t.Account), Body: body}); err != nil {
			return err
		}
	}
	return nil
}

const loadTestPlayers = 15_000

// SeedLoadTest creates the load-test player population in one request.
func (t *Tool) SeedLoadTest(ctx context.Context) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, loadTestPlayers)
	for i := range loadTestPlayers {
		id := fmt.Sprintf("lt-%05d", i)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(t.Keys.Player(id)),
			Value:         cloudflare.F(`{"id":"` + id + `"}`),
			ExpirationTTL: cloudflare.F((72 * time.Hour).Seconds()),
			Metadata:      cloudflare.F[any](map[string]any{"name": id}),
		})
	}
	_, err := t.C.KV.Namespaces.BulkUpdate(ctx, t.Namespace, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(t.Account), Body: body}) // EXPECT kvlimits
	return err
}

// Inspect prints the values of up to 100 keys.
func (t *Tool) Inspect(ctx context.Context, keys []string) error {
	uniq := map[string]bool{}
	for _, k := range keys[:min(len(keys), 100)] {
		uniq[k] = true
	}
	values, err := t.R.BulkGet(ctx, slices.Collect(maps.Keys(uniq)))
	if err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(values)) {
		fmt.Fprintf(t.Out, "%s = %s\n", k, values[k])
	}
	return nil
}
