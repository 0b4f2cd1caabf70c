// Package httpx builds the gin engine and ties the HTTP server to the fx
// lifecycle.
package httpx

import (
	"context"
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/fx"
	"go.uber.org/zap"

	"github.com/skua-fm/skua/internal/config"
)

// NewRouter returns the engine every package registers its routes on.
func NewRouter(log *zap.Logger) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery(), accessLog(log.Named("http")))
	r.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	return r
}

func accessLog(log *zap.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		log.Info("request",
			zap.String("method", c.Request.Method),
			zap.String("route", c.FullPath()),
			zap.Int("status", c.Writer.Status()),
			zap.Duration("took", time.Since(start)),
		)
	}
}

// RequireAdmin guards internal endpoints with the static admin token.
type RequireAdmin gin.HandlerFunc

func NewRequireAdmin(cfg config.Config) RequireAdmin {
	want := []byte("Bearer " + cfg.AdminToken)
	return func(c *gin.Context) {
		got := []byte(c.GetHeader("Authorization"))
		if cfg.AdminToken == "" || subtle.ConstantTimeCompare(got, want) != 1 {
			c.AbortWithStatus(http.StatusUnauthorized)
			return
		}
		c.Next()
	}
}

// Start runs the HTTP server for the lifetime of the fx application.
func Start(lc fx.Lifecycle, r *gin.Engine, cfg config.Config, log *zap.Logger) {
	srv := &http.Server{
		Addr:              cfg.ListenAddr,
		Handler:           r,
		ReadHeaderTimeout: 10 * time.Second,
	}
	lc.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			ln, err := net.Listen("tcp", srv.Addr)
			if err != nil {
				return err
			}
			log.Info("listening", zap.String("addr", ln.Addr().String()))
			go func() {
				if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
					log.Error("http server", zap.Error(err))
				}
			}()
			return nil
		},
		OnStop: func(ctx context.Context) error {
			return srv.Shutdown(ctx)
		},
	})
}
