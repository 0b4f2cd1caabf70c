package feeds

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/skua-fm/skua/internal/catalog"
	"github.com/skua-fm/skua/internal/kvstore"
)

// Handlers exposes the feed service over HTTP.
type Handlers struct {
	svc *Service
	log *zap.Logger
}

func NewHandlers(svc *Service, log *zap.Logger) *Handlers {
	return &Handlers{svc: svc, log: log.Named("feeds.http")}
}

// Register mounts the public feed route and the creator API. requireCreator
// authenticates the dashboard session and checks show ownership.
func (h *Handlers) Register(r *gin.Engine, requireCreator gin.HandlerFunc) {
	r.GET("/feeds/:show", h.Feed)

	g := r.Group("/api/shows/:show", requireCreator)
	g.POST("/episodes", h.PublishEpisode)
	g.GET("/preview", h.Preview)
	g.PATCH("/settings", h.UpdateSettings)
	g.PUT("/slug", h.ClaimSlug)
	g.POST("/tags", h.AddTag)
}

func (h *Handlers) Feed(c *gin.Context) {
	body, err := h.svc.Rendered(c.Request.Context(), c.Param("show"))
	if err != nil {
		h.log.Error("rendering feed", zap.String("show", c.Param("show")), zap.Error(err))
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/rss+xml; charset=utf-8", body)
}

type publishRequest struct {
	ID          string    `json:"id" binding:"required"`
	GUID        string    `json:"guid" binding:"required"`
	Title       string    `json:"title" binding:"required,max=300"`
	Summary     string    `json:"summary" binding:"max=4000"`
	AudioURL    string    `json:"audio_url" binding:"required,url"`
	AudioBytes  int64     `json:"audio_bytes" binding:"gte=0"`
	DurationSec int       `json:"duration_sec" binding:"gte=0"`
	PublishAt   time.Time `json:"publish_at"`
}

func (h *Handlers) PublishEpisode(c *gin.Context) {
	var req publishRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": err.Error()})
		return
	}
	if req.PublishAt.IsZero() {
		req.PublishAt = time.Now().UTC()
	}
	ep := catalog.Episode{
		ID: req.ID, ShowID: c.Param("show"), GUID: req.GUID, Title: req.Title, Summary: req.Summary,
		AudioURL: req.AudioURL, AudioBytes: req.AudioBytes, DurationSec: req.DurationSec, PublishAt: req.PublishAt,
	}
	if err := h.svc.Publish(c.Request.Context(), ep.ShowID, ep); err != nil {
		h.log.Error("publishing episode", zap.String("episode", ep.ID), zap.Error(err))
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.Status(http.StatusAccepted)
}

func (h *Handlers) Preview(c *gin.Context) {
	body, err := h.svc.Preview(c.Request.Context(), c.Param("show"))
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	c.Data(http.StatusOK, "application/rss+xml; charset=utf-8", body)
}

// ShowSettings are the per-show options a creator edits in the dashboard.
type ShowSettings struct {
	Visibility string   `json:"visibility"`
	Categories []string `json:"categories"`
	Redirect   string   `json:"redirect,omitempty"`
}

type settingsPatch struct {
	Visibility *string  `json:"visibility" binding:"omitempty,oneof=public unlisted private"`
	Categories []string `json:"categories" binding:"omitempty,max=3"`
	Redirect   *string  `json:"redirect" binding:"omitempty,url"`
}

func (p settingsPatch) apply(s *ShowSettings) {
	if p.Visibility != nil {
		s.Visibility = *p.Visibility
	}
	if p.Categories != nil {
		s.Categories = p.Categories
	}
	if p.Redirect != nil {
		s.Redirect = *p.Redirect
	}
}

func (h *Handlers) UpdateSettings(c *gin.Context) {
	showID := c.Param("show")
	var patch settingsPatch
	if err := c.ShouldBindJSON(&patch); err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": err.Error()})
		return
	}
	ctx := c.Request.Context()

	settings := ShowSettings{Visibility: "public"}
	if raw, err := h.svc.ns.Get(ctx, settingsKey(showID)); err == nil { // EXPECT kvnull
		_ = json.Unmarshal(raw, &settings)
	}
	patch.apply(&settings)

	if err := h.svc.ns.PutJSON(ctx, settingsKey(showID), settings, 0); err != nil { // EXPECT kvrace
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	_ = h.svc.Invalidate(ctx, showID)
	c.JSON(http.StatusOK, settings)
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,62}$`)

var errSlugTaken = errors.New("slug taken")

type slugRequest struct {
	Slug string `json:"slug" binding:"required"`
}

// ClaimSlug gives a show its vanity URL, skua.fm/<slug>.
func (h *Handlers) ClaimSlug(c *gin.Context) {
	var req slugRequest
	if err := c.ShouldBindJSON(&req); err != nil || !slugRE.MatchString(req.Slug) {
		c.JSON(http.StatusBadRequest, gin.H{"error": "invalid slug"})
		return
	}
	err := h.claimSlug(c.Request.Context(), req.Slug, c.Param("show"))
	switch {
	case errors.Is(err, errSlugTaken):
		c.JSON(http.StatusConflict, gin.H{"error": "slug is taken"})
	case err != nil:
		c.AbortWithStatus(http.StatusInternalServerError)
	default:
		c.Status(http.StatusNoContent)
	}
}

func (h *Handlers) claimSlug(ctx context.Context, slug, showID string) error {
	key := "slug:" + slug
	_, err := h.svc.ns.Get(ctx, key)
	switch {
	case err == nil:
		return errSlugTaken
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return h.svc.ns.Put(ctx, key, []byte(showID), 0) // EXPECT kvrace
}

type tagRequest struct {
	Tag string `json:"tag" binding:"required,max=40"`
}

// loadTags returns the show's tags, or none when it has no tags yet.
func (h *Handlers) loadTags(ctx context.Context, showID string) ([]string, error) {
	var tags []string
	err := h.svc.ns.GetJSON(ctx, "show:"+showID+":tags", &tags)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	return tags, err
}

func (h *Handlers) AddTag(c *gin.Context) {
	showID := c.Param("show")
	var req tagRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": err.Error()})
		return
	}
	ctx := c.Request.Context()
	tags, err := h.loadTags(ctx, showID)
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	tag := strings.ToLower(strings.TrimSpace(req.Tag))
	if !slices.Contains(tags, tag) {
		tags = append(tags, tag)
		if err := h.svc.ns.PutJSON(ctx, "show:"+showID+":tags", tags, 0); err != nil { // EXPECT kvrace
			c.AbortWithStatus(http.StatusInternalServerError)
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"tags": tags})
}
