package pbapp

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/kakapo-auctions/kakapo/internal/auction"
	"github.com/kakapo-auctions/kakapo/internal/kvstore"
)

func registerRoutes(app core.App, d Deps, views *viewCounter) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/kakapo/lots/{id}", func(e *core.RequestEvent) error {
			rec, err := e.App.FindRecordById("lots", e.Request.PathValue("id"))
			if err != nil {
				return e.NotFoundError("lot not found", err)
			}
			return e.JSON(http.StatusOK, lotFromRecord(rec))
		})

		se.Router.GET("/api/kakapo/lots/{id}/watchers", func(e *core.RequestEvent) error {
			raw, err := d.Lots.Get(e.Request.Context(), auction.WatchersKey(e.Request.PathValue("id")))
			switch {
			case errors.Is(err, kvstore.ErrNotFound):
				return e.JSON(http.StatusOK, map[string]int{"watchers": 0})
			case err != nil:
				return e.InternalServerError("watchers unavailable", err)
			}
			n, _ := strconv.Atoi(string(raw))
			return e.JSON(http.StatusOK, map[string]int{"watchers": n})
		})

		se.Router.POST("/api/kakapo/lots/{id}/view", func(e *core.RequestEvent) error {
			views.add(e.Request.PathValue("id"))
			return e.NoContent(http.StatusNoContent)
		})

		se.Router.GET("/api/kakapo/health", func(e *core.RequestEvent) error {
			stamp := []byte(time.Now().UTC().Format(time.RFC3339))
			if err := d.Lots.Put(e.Request.Context(), "health:pocketbase", stamp, 0); err != nil { // EXPECT kvhotkey
				return e.JSON(http.StatusServiceUnavailable, map[string]string{"kv": err.Error()})
			}
			return e.JSON(http.StatusOK, map[string]string{"kv": "ok"})
		})

		return se.Next()
	})
}
