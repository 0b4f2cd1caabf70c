package ghapp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kereru-ci/piwakawaka/internal/kvstore"
	"github.com/kereru-ci/piwakawaka/internal/queue"
)

// Webhook handles deliveries to the GitHub App's webhook URL.
type Webhook struct {
	Secret []byte
	KV     *kvstore.Store
	Queue  *queue.Queue
	Tokens *TokenCache
	Log    *slog.Logger
	// DefaultPool is the runner pool for repositories without a pool setting.
	DefaultPool string
}

const (
	maxPayload        = 25 << 20
	deliveryRetention = 72 * time.Hour
	prRetention       = 90 * 24 * time.Hour
	checkRetention    = 30 * 24 * time.Hour
)

func (h *Webhook) verify(sig string, body []byte) bool {
	hexSig, ok := strings.CutPrefix(sig, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, h.Secret)
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	if !h.verify(r.Header.Get("X-Hub-Signature-256"), body) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	ctx := r.Context()
	event := r.Header.Get("X-GitHub-Event")
	delivery := r.Header.Get("X-GitHub-Delivery")
	if delivery == "" {
		http.Error(w, "missing delivery id", http.StatusBadRequest)
		return
	}

	deliveryKey := "gh/deliveries/" + delivery
	if _, err := h.KV.Get(ctx, deliveryKey); err == nil {
		w.WriteHeader(http.StatusOK)
		return
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		http.Error(w, "dedup lookup failed", http.StatusServiceUnavailable)
		return
	}

	switch event {
	case "ping":
	case "push":
		var p PushEvent
		if err = json.Unmarshal(body, &p); err == nil {
			err = h.onPush(ctx, &p)
		}
	case "pull_request":
		var p PullRequestEvent
		if err = json.Unmarshal(body, &p); err == nil {
			err = h.onPullRequest(ctx, &p)
		}
	case "check_run":
		var p CheckRunEvent
		if err = json.Unmarshal(body, &p); err == nil {
			err = h.onCheckRun(ctx, &p)
		}
	case "installation":
		var p InstallationEvent
		if err = json.Unmarshal(body, &p); err == nil {
			err = h.onInstallation(ctx, &p)
		}
	default:
		h.Log.Debug("ignored event", "event", event)
	}
	if err != nil {
		h.Log.Error("webhook", "event", event, "delivery", delivery, "err", err)
		http.Error(w, "processing failed", http.StatusInternalServerError)
		return
	}

	if err := h.KV.PutTTL(ctx, deliveryKey, []byte(event), deliveryRetention); err != nil { // DEBATABLE kvrace
		h.Log.Warn("record delivery", "delivery", delivery, "err", err)
	}
	last, _ := json.Marshal(map[string]string{"event": event, "delivery": delivery, "at": time.Now().UTC().Format(time.RFC3339)})
	if err := h.KV.Put(ctx, "gh/last-delivery", last, nil); err != nil { // EXPECT kvhotkey
		h.Log.Warn("record last delivery", "err", err)
	}
	w.WriteHeader(http.StatusAccepted)
}

func (h *Webhook) poolFor(ctx context.Context, repoID int64) string {
	raw, err := h.KV.Get(ctx, fmt.Sprintf("repos/%d/settings/pool", repoID))
	if err != nil || len(raw) == 0 {
		return h.DefaultPool
	}
	return string(raw)
}

func (h *Webhook) enqueue(ctx context.Context, repo *Repository, sha, ref, trigger string) error {
	return h.Queue.Enqueue(ctx, queue.Job{
		Pool: h.poolFor(ctx, repo.ID), Repo: repo.FullName, SHA: sha, Ref: ref, Trigger: trigger, CreatedAt: time.Now().UTC(),
	})
}

func (h *Webhook) onPush(ctx context.Context, p *PushEvent) error {
	repoID := p.Repository.ID
	refKey := fmt.Sprintf("repos/%d/refs/%s", repoID, url.PathEscape(p.Ref))
	if p.Deleted {
		return h.KV.Delete(ctx, refKey)
	}
	if err := h.KV.Put(ctx, refKey, []byte(p.After), map[string]any{"pushed_at": time.Now().Unix()}); err != nil {
		return err
	}

	statKey := fmt.Sprintf("stats/repos/%d/pushes", repoID)
	pushes := 0
	raw, err := h.KV.Get(ctx, statKey)
	switch {
	case err == nil:
		pushes, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	if err := h.KV.Put(ctx, statKey, []byte(strconv.Itoa(pushes+1)), nil); err != nil { // EXPECT kvcounter|kvrace
		return err
	}

	if !strings.HasPrefix(p.Ref, "refs/heads/") {
		return nil
	}
	return h.enqueue(ctx, &p.Repository, p.After, p.Ref, "push")
}

type prRecord struct {
	Number  int       `json:"number"`
	HeadSHA string    `json:"head_sha"`
	BaseRef string    `json:"base_ref"`
	Draft   bool      `json:"draft"`
	Updated time.Time `json:"updated"`
}

func (h *Webhook) onPullRequest(ctx context.Context, p *PullRequestEvent) error {
	repoID := p.Repository.ID
	prKey := fmt.Sprintf("prs/%d/%d", repoID, p.Number)
	switch p.Action {
	case "opened", "reopened", "synchronize", "ready_for_review":
		rec, _ := json.Marshal(prRecord{
			Number:  p.Number,
			HeadSHA: p.PullRequest.Head.SHA,
			BaseRef: p.PullRequest.Base.Ref,
			Draft:   p.PullRequest.Draft,
			Updated: time.Now().UTC(),
		})
		if err := h.KV.PutTTL(ctx, prKey, rec, prRetention); err != nil {
			return err
		}
		if p.PullRequest.Draft {
			return nil
		}
		return h.enqueue(ctx, &p.Repository, p.PullRequest.Head.SHA, fmt.Sprintf("refs/pull/%d/head", p.Number), "pull_request")
	case "closed":
		if err := h.KV.Delete(ctx, prKey); err != nil {
			return err
		}
		previews := fmt.Sprintf("previews/%d/%d/", repoID, p.Number)
		keys, _, err := h.KV.ListPage(ctx, previews, "", 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := h.KV.Delete(ctx, k.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

type checkRecord struct {
	Name    string       `json:"name"`
	HeadSHA string       `json:"head_sha"`
	Status  string       `json:"status"`
	History []checkEvent `json:"history"`
}

type checkEvent struct {
	Action string    `json:"action"`
	At     time.Time `json:"at"`
}

func (h *Webhook) onCheckRun(ctx context.Context, p *CheckRunEvent) error {
	key := fmt.Sprintf("checks/%d/%d", p.Repository.ID, p.CheckRun.ID)
	var rec checkRecord
	if err := h.KV.GetJSON(ctx, key, &rec); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	rec.Name, rec.HeadSHA, rec.Status = p.CheckRun.Name, p.CheckRun.HeadSHA, p.CheckRun.Status
	rec.History = append(rec.History, checkEvent{Action: p.Action, At: time.Now().UTC()})
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := h.KV.PutTTL(ctx, key, b, checkRetention); err != nil { // EXPECT kvrace
		return err
	}
	if p.Action != "rerequested" {
		return nil
	}
	return h.enqueue(ctx, &p.Repository, p.CheckRun.HeadSHA, "", "rerun:"+p.CheckRun.Name)
}

func (h *Webhook) onInstallation(ctx context.Context, p *InstallationEvent) error {
	id := p.Installation.ID
	switch p.Action {
	case "created":
		entries := make([]kvstore.Entry, 0, len(p.Repositories))
		for _, repo := range p.Repositories {
			entries = append(entries, kvstore.Entry{
				Key:   fmt.Sprintf("repos/%d/installation", repo.ID),
				Value: strconv.FormatInt(id, 10),
			})
		}
		if len(entries) == 0 {
			return nil
		}
		return h.KV.PutMany(ctx, entries)
	case "deleted", "suspend":
		return h.Tokens.Forget(ctx, id)
	}
	return nil
}
