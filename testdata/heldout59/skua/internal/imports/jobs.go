// Package imports moves existing podcasts onto skua.fm by importing their
// RSS feeds. Jobs are queued from the dashboard and run by a cron poller.
package imports

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/skua-fm/skua/internal/config"
	"github.com/skua-fm/skua/internal/kvstore"
)

// Job is stored under import:job:<id>; import:queue:<id> exists while the
// job waits for the poller.
type Job struct {
	ID         string    `json:"id"`
	CreatorID  string    `json:"creator_id"`
	ShowID     string    `json:"show_id"`
	SourceURL  string    `json:"source_url"`
	Status     string    `json:"status"`
	CreatedAt  time.Time `json:"created_at"`
	StartedAt  time.Time `json:"started_at,omitzero"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	Imported   int       `json:"imported"`
	Error      string    `json:"error,omitempty"`
}

const (
	StatusQueued  = "queued"
	StatusRunning = "running"
	StatusDone    = "done"
	StatusFailed  = "failed"
)

func jobKey(id string) string      { return "import:job:" + id }
func queueKey(id string) string    { return "import:queue:" + id }
func progressKey(id string) string { return "import:job:" + id + ":progress" }
func logKey(id string) string      { return "import:job:" + id + ":log" }

var errQuotaExceeded = errors.New("monthly import quota reached")

// Runner queues and runs imports. ns is the IMPORTS namespace; feeds is
// where imported episodes are published.
type Runner struct {
	ns     *kvstore.Namespace
	feeds  *kvstore.Namespace
	client *kvstore.Client
	cfg    config.ImportsConfig
	hc     *http.Client
	log    *zap.Logger
}

// NewRunner is provided to fx with the "imports" and "feeds" namespaces.
func NewRunner(ns, feeds *kvstore.Namespace, client *kvstore.Client, cfg config.Config, log *zap.Logger) *Runner {
	return &Runner{
		ns:     ns,
		feeds:  feeds,
		client: client,
		cfg:    cfg.Imports,
		hc:     &http.Client{Timeout: cfg.Imports.FetchTimeout},
		log:    log.Named("imports"),
	}
}

// Register mounts the creator's import API.
func (r *Runner) Register(e *gin.Engine, requireCreator gin.HandlerFunc) {
	e.POST("/api/shows/:show/imports", requireCreator, r.handleCreate)
}

type createRequest struct {
	URL       string `json:"url" binding:"required,url"`
	CreatorID string `json:"creator_id" binding:"required"`
}

func (r *Runner) handleCreate(c *gin.Context) {
	var req createRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": err.Error()})
		return
	}
	u, err := url.Parse(req.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		c.JSON(http.StatusBadRequest, gin.H{"error": "feed URL must be http(s)"})
		return
	}
	job, err := r.Enqueue(c.Request.Context(), req.CreatorID, c.Param("show"), u.String())
	if errors.Is(err, errQuotaExceeded) {
		c.JSON(http.StatusTooManyRequests, gin.H{"error": err.Error()})
		return
	}
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.JSON(http.StatusAccepted, job)
}

func newJobID() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// monthEnd is the first instant of the month after t.
func monthEnd(t time.Time) time.Time {
	y, m, _ := t.Date()
	return time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
}

// Enqueue checks the creator's monthly quota and queues a job.
func (r *Runner) Enqueue(ctx context.Context, creatorID, showID, sourceURL string) (*Job, error) {
	now := time.Now().UTC()
	quotaKey := fmt.Sprintf("quota:imports:%s:%s", creatorID, now.Format("200601"))
	used := 0
	raw, err := r.ns.Get(ctx, quotaKey)
	switch {
	case err == nil:
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return nil, fmt.Errorf("quota value %q: %w", raw, err)
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return nil, err
	}
	if used >= r.cfg.MonthlyQuota {
		return nil, errQuotaExceeded
	}
	ttl := max(time.Until(monthEnd(now)), time.Hour)
	if err := r.ns.Put(ctx, quotaKey, []byte(strconv.Itoa(used+1)), ttl); err != nil { // EXPECT kvcounter|kvrace
		return nil, err
	}

	job := &Job{
		ID: newJobID(), CreatorID: creatorID, ShowID: showID, SourceURL: sourceURL,
		Status: StatusQueued, CreatedAt: now,
	}
	if err := r.ns.PutJSON(ctx, jobKey(job.ID), job, 30*24*time.Hour); err != nil {
		return nil, err
	}
	if err := r.ns.Put(ctx, queueKey(job.ID), []byte(now.Format(time.RFC3339)), 7*24*time.Hour); err != nil {
		return nil, err
	}
	r.log.Info("import queued", zap.String("job", job.ID), zap.String("show", showID))
	return job, nil
}
