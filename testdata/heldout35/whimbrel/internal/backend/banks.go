package backend

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"whimbrel/internal/keys"
)

// banksRoot is the root of the bank layout; the BANKS namespace is
// dedicated to question banks, so the root is the namespace itself.
const banksRoot = "/"

// rulesText is shown on every bank card.
const rulesText = "Whimbrel trivia rules: each match has up to twenty questions drawn from the selected bank. Players answer within the countdown; faster correct answers earn more points, incorrect answers earn none. Ties are broken by total answer time. Questions flagged by players are reviewed by moderators and may be removed from a bank between seasons. Banks marked practice do not count toward seasonal leaderboards. Whimbrel trivia rules: each match has up to twenty questions drawn from the selected bank. Players answer within the countdown; faster correct answers earn more points, incorrect answers earn none. Ties are broken by total answer time. Questions flagged by players are reviewed by moderators and may be removed from a bank between seasons. Banks marked practice do not count toward seasonal leaderboards. Whimbrel trivia rules: each match has up to twenty questions drawn from the selected bank. Players answer within the countdown; faster correct answers earn more points, incorrect answers earn none. Ties are broken by total answer time. Questions flagged by players are reviewed by moderators and may be removed from a bank between seasons. Banks marked practice do not count toward seasonal leaderboards. "

// BankQuestion is a question as exported by the authoring tool.
type BankQuestion struct {
	ID      int      `json:"id"`
	Prompt  string   `json:"prompt"`
	Choices []string `json:"choices"`
	Answer  int      `json:"answer"`
	Tags    []string `json:"tags"`
}

// Bank is a named set of questions.
type Bank struct {
	Name      string         `json:"name"`
	Version   int            `json:"version"`
	Practice  bool           `json:"practice"`
	Questions []BankQuestion `json:"questions"`
}

// pointerKey is the key of the record naming the active bank version.
func pointerKey() string { return strings.Trim(banksRoot, "/") }

// SyncBank publishes a bank: its questions in bulk, then its card and tag
// indexes, then the active-version pointer.
func (j *Jobs) SyncBank(ctx context.Context, b Bank) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(b.Questions))
	for _, q := range b.Questions {
		v, err := json.Marshal(q)
		if err != nil {
			return err
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:      cloudflare.F(keys.QuestionKey(b.Name, q.ID)),
			Value:    cloudflare.F(string(v)),
			Metadata: cloudflare.F[any](map[string]any{"tags": q.Tags, "v": b.Version}),
		})
	}
	for start := 0; start < len(body); start += 5000 {
		end := min(start+5000, len(body))
		if failed, err := j.Game.BulkPut(ctx, body[start:end]); err != nil {
			return err
		} else if len(failed) > 0 {
			return fmt.Errorf("sync %s: %d keys not written", b.Name, len(failed))
		}
	}

	card, _ := json.Marshal(map[string]any{"name": b.Name, "count": len(b.Questions), "practice": b.Practice})
	_, err := j.Game.api.KV.Namespaces.Values.Update(ctx, j.Game.namespace, "bankcard/"+b.Name, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(j.Game.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(card)),
		Metadata:  cloudflare.F[any](map[string]any{"name": b.Name, "rules": rulesText}), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}

	for _, q := range b.Questions {
		for _, tag := range q.Tags {
			if err := j.Game.Put(ctx, keys.BankIndexKey(b.Name, tag)+"/"+strconv.Itoa(q.ID), "", 0); err != nil {
				return err
			}
		}
		if err := j.Game.Put(ctx, "bank/last-synced", b.Name+"@"+strconv.Itoa(b.Version), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return j.Game.Put(ctx, pointerKey(), b.Name+"@"+strconv.Itoa(b.Version), 0) // EXPECT kvlimits
}

// SeedPractice fills the practice bank with generated arithmetic questions.
func (j *Jobs) SeedPractice(ctx context.Context) error {
	const n = 12000
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, n)
	for i := 0; i < n; i++ {
		a, b := i%97, i%89
		q := BankQuestion{ID: i, Prompt: fmt.Sprintf("%d + %d = ?", a, b), Choices: []string{strconv.Itoa(a + b), strconv.Itoa(a + b + 1)}}
		v, _ := json.Marshal(q)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(keys.QuestionKey("practice", i)),
			Value:         cloudflare.F(string(v)),
			ExpirationTTL: cloudflare.F(float64(30 * 24 * 3600)),
		})
	}
	_, err := j.Game.BulkPut(ctx, body) // EXPECT kvlimits
	return err
}

// RecentBankCards returns the first page of bank cards for the dashboard.
func (j *Jobs) RecentBankCards(ctx context.Context) ([]string, string, error) {
	page, err := j.Game.api.KV.Namespaces.Keys.List(ctx, j.Game.namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(j.Game.account),
		Prefix:    cloudflare.F("bankcard/"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, strings.TrimPrefix(k.Name, "bankcard/"))
	}
	return names, page.ResultInfo.Cursor, nil
}

// PublishMOTD writes the message of the day shown in lobbies.
func (j *Jobs) PublishMOTD(ctx context.Context, text string) error {
	_, err := j.Game.api.KV.Namespaces.Values.Update(ctx, j.Game.namespace, "motd", kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(j.Game.account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(text)),
		ExpirationTTL: cloudflare.F(float64(45)), // EXPECT kvttl
	})
	return err
}

// HoldRoom reserves a tournament room name until the draw.
func (j *Jobs) HoldRoom(ctx context.Context, room string, ttl time.Duration) error {
	_, err := j.Game.api.KV.Namespaces.Values.Update(ctx, j.Game.namespace, "room/"+room, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(j.Game.account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("held")),
		ExpirationTTL: cloudflare.F(float64(ttl)), // EXPECT kvttl
	})
	return err
}

// AnnounceDraw publishes the tournament draw until it closes.
func (j *Jobs) AnnounceDraw(ctx context.Context, draw string, closes time.Time) error {
	_, err := j.Game.api.KV.Namespaces.Values.Update(ctx, j.Game.namespace, "draw/current", kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(j.Game.account),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(draw)),
		Expiration: cloudflare.F(float64(closes.UnixMilli())), // EXPECT kvttl
	})
	return err
}

// FlashQuestion publishes the bonus question for the next round.
func (j *Jobs) FlashQuestion(ctx context.Context, q BankQuestion) error {
	v, _ := json.Marshal(q)
	_, err := j.Game.api.KV.Namespaces.Values.Update(ctx, j.Game.namespace, "flash/current", kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(j.Game.account),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
		Expiration: cloudflare.F(float64(time.Now().Add(30 * time.Second).Unix())), // EXPECT kvttl
	})
	return err
}

// ThrottleReport stores the anti-cheat report for a suspicious window.
func (j *Jobs) ThrottleReport(ctx context.Context, user keys.UserID, report string) error {
	ttl := max(2*j.Window, 3*time.Second)
	return j.Game.Put(ctx, "cheat/report/"+string(user), report, ttl) // EXPECT kvttl
}

// ArchiveReport stores a reviewed report for the season.
func (j *Jobs) ArchiveReport(ctx context.Context, user keys.UserID, report string, seasonEnd time.Time) error {
	return j.Game.PutAt(ctx, "cheat/archive/"+string(user), report, seasonEnd)
}

// BankVersion returns the active version of a bank as stored by SyncBank.
func (j *Jobs) BankVersion(ctx context.Context, bank string) (int, error) {
	res, err := j.Game.api.KV.Namespaces.Values.Get(ctx, j.Game.namespace, "bankcard/"+bank, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(j.Game.account),
	})
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	if len(raw) > 0 { // EXPECT kvnull
		var card struct {
			Version int `json:"version"`
		}
		if err := json.Unmarshal(raw, &card); err != nil {
			return 0, err
		}
		return card.Version, nil
	}
	return 0, nil
}

// EnsureSeasonSettings makes sure the season settings record exists.
func (j *Jobs) EnsureSeasonSettings(ctx context.Context, season string) error {
	key := "season/" + season + "/settings"
	if _, err := j.Game.api.KV.Namespaces.Values.Get(ctx, j.Game.namespace, key, kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(j.Game.account),
	}); err != nil {
		defaults, _ := json.Marshal(map[string]any{"season": season, "rounds": 20, "practice": false})
		return j.Game.Put(ctx, key, string(defaults), 0)
	}
	return nil
}

// LoadSeasonSettings reads the season settings, treating a missing record
// as the defaults.
func (j *Jobs) LoadSeasonSettings(ctx context.Context, season string) (map[string]any, error) {
	out := map[string]any{"season": season, "rounds": 20}
	raw, err := j.Game.Get(ctx, "season/"+season+"/settings")
	if err == ErrNotFound {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	err = json.Unmarshal(raw, &out)
	return out, err
}
