package projection

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hoopoefm/hoopoe/internal/kvrest"
)

// ShowSummary is the edge's view of a show page.
type ShowSummary struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Host     string `json:"host"`
	Episodes int    `json:"episodes"`
	Explicit bool   `json:"explicit"`
}

// ShowPrefs are host-editable display settings, merged with the plan defaults.
type ShowPrefs struct {
	Theme         string `json:"theme"`
	ShowDownloads bool   `json:"show_downloads"`
	Plan          string `json:"plan"`
}

// Config holds the projector's tunables.
type Config struct {
	SummaryTTL time.Duration
	PreviewTTL time.Duration
}

// Shows projects show pages.
type Shows struct {
	DB  *pgxpool.Pool
	KV  *kvrest.Store
	Cfg Config
}

// Refresh recomputes the projections of the given shows with one round trip.
func (s *Shows) Refresh(ctx context.Context, showIDs []string) error {
	b := &pgx.Batch{}
	var writeErr error
	for _, id := range showIDs {
		b.Queue(`SELECT s.id, s.title, h.display_name, count(e.id), s.explicit
			FROM shows s JOIN hosts h ON h.id = s.host_id LEFT JOIN episodes e ON e.show_id = s.id AND e.published
			WHERE s.id = $1 GROUP BY s.id, h.display_name`, id).QueryRow(func(row pgx.Row) error {
			var sum ShowSummary
			if err := row.Scan(&sum.ID, &sum.Title, &sum.Host, &sum.Episodes, &sum.Explicit); err != nil {
				return err
			}
			body, _ := json.Marshal(sum)
			if err := s.KV.Cache(ctx, "showsum:"+sum.ID, body, s.Cfg.SummaryTTL); err != nil {
				writeErr = err
			}
			return nil
		})
		b.Queue(`SELECT count(*) FROM downloads WHERE show_id = $1`, id).QueryRow(func(row pgx.Row) error {
			var n int64
			if err := row.Scan(&n); err != nil {
				return err
			}
			return s.KV.Put(ctx, "views:"+id, []byte(strconv.FormatInt(n, 10))) // DEBATABLE kvcounter
		})
		b.Queue(`SELECT plan FROM hosts h JOIN shows s ON s.host_id = h.id WHERE s.id = $1`, id).QueryRow(func(row pgx.Row) error {
			var plan string
			if err := row.Scan(&plan); err != nil {
				return err
			}
			return s.syncPlan(ctx, id, plan)
		})
	}
	if err := s.DB.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	return writeErr
}

// syncPlan records the host's plan in the show's display settings.
func (s *Shows) syncPlan(ctx context.Context, showID, plan string) error {
	key := "showprefs:" + showID
	prefs := ShowPrefs{Theme: "light", ShowDownloads: true}
	raw, err := s.KV.Get(ctx, key) // EXPECT kvnull
	if err == nil {
		_ = json.Unmarshal(raw, &prefs)
	}
	if prefs.Plan == plan {
		return nil
	}
	prefs.Plan = plan
	body, _ := json.Marshal(prefs)
	return s.KV.Put(ctx, key, body) // EXPECT kvrace
}

type scheduledRow struct {
	EpisodeID string    `db:"id"`
	ShowID    string    `db:"show_id"`
	Title     string    `db:"title"`
	PublishAt time.Time `db:"publish_at"`
}

// PublishSchedule writes a countdown key for every scheduled episode; the
// key disappears when the episode goes live.
func (s *Shows) PublishSchedule(ctx context.Context) error {
	rows, _ := s.DB.Query(ctx, `SELECT id, show_id, title, publish_at FROM episodes
		WHERE NOT published AND publish_at > now() ORDER BY publish_at LIMIT 500`)
	due, err := pgx.CollectRows(rows, pgx.RowToStructByName[scheduledRow])
	if err != nil {
		return err
	}
	for _, ep := range due {
		body, _ := json.Marshal(ep)
		if err := s.KV.PutTTL(ctx, "sched:"+ep.EpisodeID, body, time.Until(ep.PublishAt)); err != nil { // EXPECT kvttl
			return err
		}
	}
	return nil
}

// PublishPreviews writes short-lived review links for drafts awaiting the
// host's sign-off.
func (s *Shows) PublishPreviews(ctx context.Context, drafts map[string]string) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(drafts))
	for id, r2Key := range drafts {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           "preview:" + id,
			Value:         r2Key,
			ExpirationTTL: int(s.Cfg.PreviewTTL), // EXPECT kvttl
		})
	}
	return s.KV.PutMany(ctx, pairs)
}

// PublishTeaser writes the teaser pointer shown while an episode uploads.
func (s *Shows) PublishTeaser(ctx context.Context, episodeID, r2Key string) error {
	return s.KV.PutMany(ctx, []*cloudflare.WorkersKVPair{{
		Key:        "teaser:" + episodeID,
		Value:      r2Key,
		Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
	}})
}

// PublishPromo writes a promo banner that ends at midnight UTC.
func (s *Shows) PublishPromo(ctx context.Context, showID, text string) error {
	now := time.Now().UTC()
	midnight := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	if time.Until(midnight) < 2*time.Minute {
		midnight = midnight.Add(24 * time.Hour)
	}
	return s.KV.PutUntil(ctx, "promo:"+showID, []byte(text), midnight)
}
