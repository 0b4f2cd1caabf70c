package kvdb

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/siskinfm/siskin/internal/cfkv"
)

const getShow = "show:%s"

// GetShow returns the show with the given ID.
func (q *Queries) GetShow(ctx context.Context, id string) (Show, error) {
	var s Show
	err := q.getJSON(ctx, fmt.Sprintf(getShow, id), &s)
	return s, err
}

const upsertShow = "show:%s"

// UpsertShow writes s as the current record of the show.
func (q *Queries) UpsertShow(ctx context.Context, s Show) error {
	return q.putJSON(ctx, fmt.Sprintf(upsertShow, s.ID), s, 0)
}

const claimSlug = "slug:%s"

// ClaimSlug reserves a vanity slug (siskin.fm/<slug>) for showID.
func (q *Queries) ClaimSlug(ctx context.Context, slug, showID string) error {
	key := fmt.Sprintf(claimSlug, slug)
	_, err := q.db.GetValue(ctx, q.ns, key)
	switch {
	case err == nil:
		return fmt.Errorf("kvdb: slug %q is already taken", slug)
	case !cfkv.IsNotFound(err):
		return err
	}
	return q.db.PutValue(ctx, q.ns, key, []byte(showID), 0) // EXPECT kvrace
}

const resolveSlug = "slug:%s"

// ResolveSlug returns the show ID that owns slug.
func (q *Queries) ResolveSlug(ctx context.Context, slug string) (string, error) {
	raw, err := q.db.GetValue(ctx, q.ns, fmt.Sprintf(resolveSlug, slug))
	if err != nil {
		return "", err
	}
	return string(raw), nil
}

const getEpisode = "episode:%s:%s"

// GetEpisode decodes the episode into dst.
func (q *Queries) GetEpisode(ctx context.Context, showID, id string, dst *Episode) error {
	return q.getJSON(ctx, fmt.Sprintf(getEpisode, showID, id), dst)
}

const createEpisode = "episode:%s:%s"

// CreateEpisode stores a new episode at version 1.
func (q *Queries) CreateEpisode(ctx context.Context, ep Episode) error {
	ep.Version = 1
	return q.putJSON(ctx, fmt.Sprintf(createEpisode, ep.ShowID, ep.ID), ep, 0)
}

const updateEpisode = "episode:%s:%s"

// UpdateEpisode stores in if the caller edited the latest version.
func (q *Queries) UpdateEpisode(ctx context.Context, in Episode) (Episode, error) {
	key := fmt.Sprintf(updateEpisode, in.ShowID, in.ID)
	var cur Episode
	if err := q.getJSON(ctx, key, &cur); err != nil {
		return Episode{}, err
	}
	if cur.Version != in.Version {
		return cur, fmt.Errorf("kvdb: episode %s edited elsewhere (have v%d, got v%d)", in.ID, cur.Version, in.Version)
	}
	in.Version = cur.Version + 1
	return in, q.putJSON(ctx, key, in, 0) // EXPECT kvrace
}

const deleteEpisode = "episode:%s:%s"

// DeleteEpisode removes one episode record.
func (q *Queries) DeleteEpisode(ctx context.Context, showID, id string) error {
	return q.db.DeleteValue(ctx, q.ns, fmt.Sprintf(deleteEpisode, showID, id))
}

const appendImportLog = "import:log:%s"

// AppendImportLog adds a line to the job's log, keeping the last 200 lines.
func (q *Queries) AppendImportLog(ctx context.Context, jobID, line string) error {
	key := fmt.Sprintf(appendImportLog, jobID)
	var lg ImportLog
	if err := q.getJSON(ctx, key, &lg); err != nil && !cfkv.IsNotFound(err) {
		return err
	}
	lg.JobID = jobID
	lg.Lines = append(lg.Lines, line)
	if n := len(lg.Lines); n > 200 {
		lg.Lines = lg.Lines[n-200:]
	}
	return q.putJSON(ctx, key, lg, 7*24*3600) // EXPECT kvrace
}

const getShowSettings = "settings:%s"

// GetShowSettings decodes the show's settings into dst.
func (q *Queries) GetShowSettings(ctx context.Context, showID string, dst *ShowSettings) error {
	return q.getJSON(ctx, fmt.Sprintf(getShowSettings, showID), dst)
}

// GetShowView fills dst with the show and, when present, its settings.
func (q *Queries) GetShowView(ctx context.Context, id string, dst *ShowView) error {
	if err := q.getJSON(ctx, fmt.Sprintf(getShow, id), &dst.Show); err != nil {
		return err
	}
	raw, err := q.db.GetValue(ctx, q.ns, fmt.Sprintf(getShowSettings, id))
	switch {
	case cfkv.IsNotFound(err):
		dst.HasSettings = false
		return nil
	case err != nil:
		return err
	}
	dst.HasSettings = true
	return json.Unmarshal(raw, &dst.Settings)
}

const initShowSettings = "settings:%s"

// InitShowSettings writes default settings for a show that has none yet.
func (q *Queries) InitShowSettings(ctx context.Context, showID, lang string) error {
	var cur ShowSettings
	if err := q.GetShowSettings(ctx, showID, &cur); err == nil { // EXPECT kvnull
		return nil
	}
	def := ShowSettings{Language: lang, RetentionDays: 365}
	return q.putJSON(ctx, fmt.Sprintf(initShowSettings, showID), def, 0) // DEBATABLE kvrace
}

const saveShowSettings = "settings:%s"

// SaveShowSettings replaces the settings with the ones the creator submitted.
func (q *Queries) SaveShowSettings(ctx context.Context, showID string, s ShowSettings) error {
	return q.putJSON(ctx, fmt.Sprintf(saveShowSettings, showID), s, 0)
}

const deleteFeedToken = "ptok:%s:%s"

// DeleteFeedToken removes a subscriber's private feed token.
func (q *Queries) DeleteFeedToken(ctx context.Context, showID, token string) error {
	return q.db.DeleteValue(ctx, q.ns, fmt.Sprintf(deleteFeedToken, showID, token)) // EXPECT kvsession
}

const cacheShowPage = "page:show:%s"

// CacheShowPage stores the rendered public page of a show for five minutes.
func (q *Queries) CacheShowPage(ctx context.Context, showID string, html []byte) error {
	return q.db.PutValue(ctx, q.ns, fmt.Sprintf(cacheShowPage, showID), html, 300)
}

const setDownloadCount = "count:downloads:%s"

// SetDownloadCount records the lifetime downloads of a show as reported by
// the host it was imported from.
func (q *Queries) SetDownloadCount(ctx context.Context, showID string, n int) error {
	return q.db.PutValue(ctx, q.ns, fmt.Sprintf(setDownloadCount, showID), []byte(strconv.Itoa(n)), 0) // DEBATABLE kvcounter
}

const getEpisodeIndex = "index:%s"

// GetEpisodeIndex returns the ordered episode IDs of a show.
func (q *Queries) GetEpisodeIndex(ctx context.Context, showID string) ([]string, error) {
	raw, err := q.db.GetValue(ctx, q.ns, fmt.Sprintf(getEpisodeIndex, showID))
	if err != nil {
		if cfkv.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	var ids []string
	return ids, json.Unmarshal(raw, &ids)
}
