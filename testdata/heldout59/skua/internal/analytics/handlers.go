package analytics

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"
)

// Handlers serves the dashboard's analytics screens. Daily numbers are read
// from each rollup key's metadata, so listing is enough.
type Handlers struct{ rec *Recorder }

func NewHandlers(rec *Recorder) *Handlers { return &Handlers{rec: rec} }

func (h *Handlers) Register(r *gin.Engine, requireCreator, requireAdmin gin.HandlerFunc) {
	r.POST("/ingest/plays", requireAdmin, IngestHandler(h.rec))

	g := r.Group("/api/shows/:show/stats", requireCreator)
	g.GET("/overview", h.Overview)

	r.GET("/admin/stats/export", requireAdmin, h.Export)
}

// Overview feeds the small chart on the show's overview card.
func (h *Handlers) Overview(c *gin.Context) {
	prefix := "rollup:" + c.Param("show") + ":"
	keys, next, err := h.rec.ns.ListPage(c.Request.Context(), prefix, c.Query("cursor"), 5) // EXPECT kvlimits
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	points := make([]gin.H, 0, len(keys))
	for _, k := range keys {
		points = append(points, gin.H{"day": strings.TrimPrefix(k.Name, prefix), "stats": k.Metadata})
	}
	c.JSON(http.StatusOK, gin.H{"points": points, "cursor": next})
}

// Export streams every rollup key as JSON lines for the data warehouse.
func (h *Handlers) Export(c *gin.Context) {
	it := h.rec.ns.Keys(c.Request.Context(), "rollup:", 1000) // EXPECT kvlist
	c.Header("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(c.Writer)
	for it.Next() {
		k := it.Current()
		_ = enc.Encode(gin.H{"key": k.Name, "meta": k.Metadata})
	}
	if err := it.Err(); err != nil {
		h.rec.log.Error("export", zap.Error(err))
	}
}
