package cloudfn

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/ruru-fm/ruru/internal/kvclient"
	"github.com/ruru-fm/ruru/internal/podcast"
)

func init() {
	functions.CloudEvent("AudioUploaded", AudioUploaded)
	functions.CloudEvent("PlaybackBatch", PlaybackBatch)
	functions.CloudEvent("WarmFeedCache", WarmFeedCache)
	functions.CloudEvent("InvalidateFeeds", InvalidateFeeds)
	functions.CloudEvent("RefreshShowCard", RefreshShowCard)
}

// storageObject is the data of a google.cloud.storage.object.v1.finalized
// event.
type storageObject struct {
	Bucket      string            `json:"bucket"`
	Name        string            `json:"name"`
	Size        string            `json:"size"`
	ContentType string            `json:"contentType"`
	Metadata    map[string]string `json:"metadata"`
}

// pubsubData is the data of a google.cloud.pubsub.topic.v1.messagePublished
// event. Message.Data arrives base64-encoded and is decoded by encoding/json.
type pubsubData struct {
	Message struct {
		Data       []byte            `json:"data"`
		Attributes map[string]string `json:"attributes"`
		ID         string            `json:"messageId"`
	} `json:"message"`
	Subscription string `json:"subscription"`
}

func decodePubSub(e event.Event, dst any) (map[string]string, error) {
	var msg pubsubData
	if err := e.DataAs(&msg); err != nil {
		return nil, fmt.Errorf("pubsub envelope: %w", err)
	}
	if err := json.Unmarshal(msg.Message.Data, dst); err != nil {
		return nil, fmt.Errorf("pubsub payload %s: %w", msg.Message.ID, err)
	}
	return msg.Message.Attributes, nil
}

// AudioUploaded runs when the upload service finalizes an episode's audio
// in the uploads bucket. The object's metadata names the show and episode.
func AudioUploaded(ctx context.Context, e event.Event) error {
	var obj storageObject
	if err := e.DataAs(&obj); err != nil {
		return fmt.Errorf("storage event: %w", err)
	}
	if !strings.HasPrefix(obj.ContentType, "audio/") {
		return nil
	}
	showID, episodeID := obj.Metadata["show-id"], obj.Metadata["episode-id"]
	if showID == "" || episodeID == "" {
		log.Printf("upload %s/%s has no show/episode metadata", obj.Bucket, obj.Name)
		return nil
	}
	st, err := kvStore()
	if err != nil {
		return err
	}
	size, _ := strconv.ParseInt(obj.Size, 10, 64)
	renditions := strings.Split(cmp.Or(obj.Metadata["renditions"], "128k"), ",")
	manifest := podcast.AudioManifest{
		ShowID:     showID,
		EpisodeID:  episodeID,
		Bucket:     obj.Bucket,
		Object:     obj.Name,
		Bytes:      size,
		Renditions: renditions,
		PublicURL:  "https://media.ruru.fm/" + obj.Name,
	}
	if err := st.PutJSON(ctx, podcast.AudioKey(showID, episodeID), manifest, 0); err != nil {
		return err
	}

	for i, rendition := range renditions {
		status := map[string]any{"rendition": rendition, "done": i + 1, "of": len(renditions)}
		if err := st.PutJSON(ctx, podcast.TranscodeKey(episodeID), status, 24*time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}

	quotaKey := podcast.UploadQuotaKey(showID, time.Now())
	used := 0
	if raw, err := st.Get(ctx, quotaKey); err == nil {
		used, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvclient.ErrNotFound) {
		return err
	}
	return st.Put(ctx, quotaKey, []byte(strconv.Itoa(used+1)), 40*24*time.Hour) // EXPECT kvcounter|kvrace
}

// playBatch is what the analytics collector publishes: the plays of one
// episode seen by one collector in one flush interval.
type playBatch struct {
	ShowID    string `json:"showId"`
	EpisodeID string `json:"episodeId"`
	Plays     []struct {
		Listener string    `json:"listener"`
		At       time.Time `json:"at"`
		Bytes    int64     `json:"bytes"`
	} `json:"plays"`
}

// PlaybackBatch folds a batch of plays into the episode's daily count.
func PlaybackBatch(ctx context.Context, e event.Event) error {
	var b playBatch
	if _, err := decodePubSub(e, &b); err != nil {
		return err
	}
	if len(b.Plays) == 0 {
		return nil
	}
	st, err := kvStore()
	if err != nil {
		return err
	}
	for _, p := range b.Plays {
		stamp := []byte(p.At.UTC().Format(time.RFC3339))
		if err := st.Put(ctx, podcast.LastPlayKey(b.EpisodeID), stamp, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}

	day := b.Plays[0].At
	countKey := podcast.DownloadCountKey(b.EpisodeID, day)
	raw, err := st.Get(ctx, countKey)
	if err != nil && !errors.Is(err, kvclient.ErrNotFound) {
		return err
	}
	count, _ := strconv.Atoi(string(raw))
	count += len(b.Plays)
	return st.Put(ctx, countKey, []byte(strconv.Itoa(count)), 8*24*time.Hour) // EXPECT kvcounter|kvrace
}

// warmRequest is published by the feed renderer after it builds a feed so
// that the first listener after a publish does not wait for the origin.
type warmRequest struct {
	Key    string        `json:"key"`
	Body   string        `json:"body"`
	MaxAge time.Duration `json:"maxAge"`
}

// WarmFeedCache stores pre-rendered feeds pushed by the renderer.
func WarmFeedCache(ctx context.Context, e event.Event) error {
	var reqs []warmRequest
	if _, err := decodePubSub(e, &reqs); err != nil {
		return err
	}
	st, err := kvStore()
	if err != nil {
		return err
	}
	for _, wr := range reqs {
		if !strings.HasPrefix(wr.Key, "rss:") {
			log.Printf("warm: refusing non-feed key %q", wr.Key)
			continue
		}
		params := kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(st.AccountID),
			Value:     cloudflare.F(wr.Body),
		}
		if wr.MaxAge > 0 {
			params.ExpirationTTL = cloudflare.F(float64(wr.MaxAge)) // EXPECT kvttl
		}
		if _, err := st.CF.KV.Namespaces.Values.Update(ctx, st.NamespaceID, wr.Key, params); err != nil {
			return fmt.Errorf("warm %s: %w", wr.Key, err)
		}
	}
	return nil
}

// InvalidateFeeds drops cached feeds named in the event, e.g. after an
// editor changes show artwork.
func InvalidateFeeds(ctx context.Context, e event.Event) error {
	var req struct {
		ShowID   string   `json:"showId"`
		Variants []string `json:"variants"`
	}
	if _, err := decodePubSub(e, &req); err != nil {
		return err
	}
	st, err := kvStore()
	if err != nil {
		return err
	}
	var errs []error
	for _, v := range req.Variants {
		errs = append(errs, st.Delete(ctx, podcast.FeedCacheKey(req.ShowID, v)))
	}
	return errors.Join(errs...)
}

// refreshRequest asks for a show's summary card to be rebuilt from the
// origin; the renderer sends its own idea of how long the card stays valid.
type refreshRequest struct {
	ShowID     string `json:"showId"`
	TTLSeconds int    `json:"ttlSeconds"`
}

// RefreshShowCard rebuilds the cached show card and its ETag.
func RefreshShowCard(ctx context.Context, e event.Event) error {
	var req refreshRequest
	if _, err := decodePubSub(e, &req); err != nil {
		return err
	}
	st, err := kvStore()
	if err != nil {
		return err
	}
	card, maxAge, err := fetchOrigin(ctx, "/shows/"+req.ShowID+"/card")
	if err != nil {
		return err
	}
	ttl := time.Duration(req.TTLSeconds) * time.Second
	if err := st.PutCached(ctx, "card:"+req.ShowID, card, cmp.Or(ttl, maxAge)); err != nil {
		return err
	}
	if err := st.PutCached(ctx, "card:"+req.ShowID+":mini", card, 15*time.Second); err != nil {
		return err
	}
	_, err = st.CF.KV.Namespaces.Values.Update(ctx, st.NamespaceID, "card:"+req.ShowID+":etag", kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(st.AccountID),
		Value:         cloudflare.F(fmt.Sprintf("%x", len(card))),
		ExpirationTTL: cloudflare.F(60.0),
	})
	return err
}
