package feeds

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Origin talks to the internal render service that builds feeds and
// transcripts from the database.
type Origin struct {
	Base   string
	Client *http.Client
}

// NewOrigin returns an Origin for the render service at base.
func NewOrigin(base string) *Origin {
	return &Origin{Base: base, Client: &http.Client{Timeout: 20 * time.Second}}
}

func (o *Origin) fetch(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.Base+path, nil)
	if err != nil {
		return nil, err
	}
	res, err := o.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound:
		return nil, ErrNoFeed
	case res.StatusCode >= 300:
		return nil, fmt.Errorf("origin %s: %s", path, res.Status)
	}
	return io.ReadAll(io.LimitReader(res.Body, 16<<20))
}

// RenderFeed renders the RSS document of a show.
func (o *Origin) RenderFeed(ctx context.Context, showID string) ([]byte, error) {
	return o.fetch(ctx, "/render/feed/"+showID)
}

// EpisodeJSON returns the database record of an episode as JSON.
func (o *Origin) EpisodeJSON(ctx context.Context, episodeID string) ([]byte, error) {
	return o.fetch(ctx, "/episodes/"+episodeID)
}

// EpisodeStatus reports the processing status of an episode.
func (o *Origin) EpisodeStatus(ctx context.Context, episodeID string) ([]byte, error) {
	return o.fetch(ctx, "/status/"+episodeID)
}

// Head returns the current ETag of a show's feed.
func (o *Origin) Head(ctx context.Context, showID string) (string, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, o.Base+"/render/feed/"+showID, nil)
	if err != nil {
		return "", 0, err
	}
	res, err := o.Client.Do(req)
	if err != nil {
		return "", 0, err
	}
	res.Body.Close()
	return res.Header.Get("ETag"), res.StatusCode, nil
}
