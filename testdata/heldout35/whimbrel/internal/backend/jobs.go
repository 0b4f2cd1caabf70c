package backend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"whimbrel/internal/keys"
	"whimbrel/internal/retry"
)

// Jobs runs the maintenance work for the GAME and SESSIONS namespaces.
type Jobs struct {
	Game     *KV
	Sessions *KV
	Log      *slog.Logger

	PageBudget int
	Window     time.Duration
}

// MatchRecord is a finished match as delivered by the match queue.
type MatchRecord struct {
	ID      string         `json:"id"`
	Lobby   keys.LobbyID   `json:"lobby"`
	Bank    string         `json:"bank"`
	Scores  map[string]int `json:"scores"`
	EndedAt time.Time      `json:"ended_at"`
}

// RunCompactor compacts lobby history on every tick until ctx is done.
func (j *Jobs) RunCompactor(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			n, err := j.compactOnce(ctx)
			if err != nil {
				j.Log.Error("compact", "err", err)
				continue
			}
			_ = j.Game.Put(ctx, "jobs/compactor/last-run", fmt.Sprintf("%s %d", time.Now().UTC().Format(time.RFC3339), n), 0)
		case <-ctx.Done():
			return
		}
	}
}

// compactOnce archives history keys, reading at most PageBudget pages.
func (j *Jobs) compactOnce(ctx context.Context) (int, error) {
	var batch []kv.NamespaceBulkUpdateParamsBody
	cursor := ""
	for page := 0; page < j.PageBudget; page++ {
		ks, next, err := j.Game.Page(ctx, "history/", cursor, 1000)
		if err != nil {
			return 0, err
		}
		for _, k := range ks {
			batch = append(batch, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F("archive/" + strings.TrimPrefix(k.Name, "history/")),
				Value:         cloudflare.F(k.Name),
				ExpirationTTL: cloudflare.F(float64(90 * 24 * 3600)),
			})
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for start := 0; start < len(batch); start += 10000 {
		end := min(start+10000, len(batch))
		failed, err := j.Game.BulkPut(ctx, batch[start:end])
		if err != nil {
			return start, err
		}
		if len(failed) > 0 {
			j.Log.Warn("compact: unwritten keys", "n", len(failed))
		}
	}
	return len(batch), nil
}

// ConsumeMatches stores each finished match as it arrives.
func (j *Jobs) ConsumeMatches(ctx context.Context, in <-chan MatchRecord) error {
	for rec := range in {
		b, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		key := fmt.Sprintf("match/%s/%d", rec.Lobby, rec.EndedAt.Unix())
		err = retry.Do(ctx, 4, func() error {
			return j.Game.Put(ctx, key, string(b), 180*24*time.Hour)
		})
		if err != nil {
			return err
		}
		if err := j.Game.Put(ctx, "stats/last-match", rec.ID, 0); err != nil { // EXPECT kvhotkey
			return err
		}
		err = retry.Do(ctx, 3, func() error {
			return retry.Do(ctx, 2, func() error {
				return j.Game.Put(ctx, "leaderboard/dirty", "1", time.Hour) // EXPECT kvhotkey
			})
		})
		if err != nil {
			return err
		}
		if err := j.indexByBank(ctx, rec); err != nil {
			j.Log.Warn("index", "match", rec.ID, "err", err)
		}
	}
	return nil
}

// indexByBank appends the match to the bank's match index.
func (j *Jobs) indexByBank(ctx context.Context, rec MatchRecord) error {
	key := keys.BankIndexKey(rec.Bank, "matches")
	var ids []string
	raw, err := j.Game.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &ids); err != nil {
			return err
		}
	}
	ids = append(ids, rec.ID)
	if len(ids) > 500 {
		ids = ids[len(ids)-500:]
	}
	b, _ := json.Marshal(ids)
	return j.Game.Put(ctx, key, string(b), 0) // EXPECT kvrace
}

// SweepSessions removes the sessions of banned players.
func (j *Jobs) SweepSessions(ctx context.Context, banned map[keys.UserID]bool) (int, error) {
	s := j.Sessions
	iter := s.api.KV.Namespaces.Keys.ListAutoPaging(ctx, s.namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F("sess/"),
	})
	removed := 0
	for iter.Next() {
		k := iter.Current()
		owner, _ := k.Metadata.(map[string]any)["user"].(string)
		if !banned[keys.UserID(owner)] {
			continue
		}
		if err := s.Delete(ctx, k.Name); err != nil { // DEBATABLE kvsession
			return removed, err
		}
		removed++
	}
	return removed, iter.Err()
}

// RevokeRefresh drops the refresh tokens of the given sessions after an
// account ban.
func (j *Jobs) RevokeRefresh(ctx context.Context, sessions []keys.SessionID) error {
	for _, sid := range sessions {
		if err := j.Sessions.Delete(ctx, sid.RefreshKey()); err != nil { // EXPECT kvsession
			return err
		}
	}
	return nil
}

// ExportHistory writes the history of every lobby to w, one lobby per line.
func (j *Jobs) ExportHistory(ctx context.Context, w io.Writer) error {
	defer j.recordExport(ctx, "history")
	cursor := ""
	for page := 0; page < j.PageBudget; page++ {
		ks, next, err := j.Game.Page(ctx, "history/", cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range ks {
			res, err := j.Game.api.KV.Namespaces.Values.Get(ctx, j.Game.namespace, k.Name, kv.NamespaceValueGetParams{ // EXPECT kvlist
				AccountID: cloudflare.F(j.Game.account),
			})
			if err != nil {
				return err
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "%s\t%q\n", k.Name, body)
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return nil
}

// recordExport appends the export to the export log.
func (j *Jobs) recordExport(ctx context.Context, name string) {
	var log []string
	raw, err := j.Game.Get(ctx, "exports/log")
	if err != nil && !errors.Is(err, ErrNotFound) {
		return
	}
	if err == nil {
		_ = json.Unmarshal(raw, &log)
	}
	defer func() {
		b, _ := json.Marshal(log)
		_ = j.Game.Put(ctx, "exports/log", string(b), 0) // EXPECT kvrace
	}()
	log = append(log, name+" "+time.Now().UTC().Format(time.RFC3339))
}

// ChargeQuota counts one AI-generated question against the org's daily quota.
func (j *Jobs) ChargeQuota(ctx context.Context, org string, limit int64) (bool, error) {
	key := fmt.Sprintf("quota/gen/%s/%s", url.PathEscape(org), time.Now().UTC().Format("20060102"))
	used := int64(0)
	raw, err := j.Game.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return false, err
	default:
		used, _ = strconv.ParseInt(string(raw), 10, 64)
	}
	if used >= limit {
		return false, nil
	}
	return true, j.Game.Put(ctx, key, strconv.FormatInt(used+1, 10), 48*time.Hour) // EXPECT kvcounter
}
