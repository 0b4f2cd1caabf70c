//go:build js && wasm

package edge

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"example.com/thistle/internal/httpx"
	"example.com/thistle/internal/recipes"
	"example.com/thistle/internal/slots"
	"example.com/thistle/internal/store"
)

func isMiss(err error) bool { return errors.Is(err, store.ErrNotFound) }

func storeTTL(d time.Duration) store.PutOptions { return store.PutOptions{TTL: d} }

func (s *Server) publishMenu(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		httpx.Error(w, err)
		return
	}
	var recs []recipes.Recipe
	if err := json.Unmarshal(body, &recs); err != nil {
		httpx.JSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if err := s.catalog.Publish(r.Context(), r.PathValue("week"), recs); err != nil {
		httpx.Error(w, err)
		return
	}
	for _, rec := range recs {
		if err := s.catalog.StoreCard(r.Context(), rec); err != nil {
			httpx.Error(w, err)
			return
		}
	}
	httpx.JSON(w, http.StatusOK, map[string]int{"published": len(recs)})
}

type importProgress struct {
	Done  int       `json:"done"`
	Total int       `json:"total"`
	At    time.Time `json:"at"`
}

func (s *Server) importWindows(w http.ResponseWriter, r *http.Request) {
	var ws []slots.Window
	if err := json.NewDecoder(io.LimitReader(r.Body, 8<<20)).Decode(&ws); err != nil {
		httpx.JSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	ctx := r.Context()
	for i, win := range ws {
		if err := s.slots.Define(ctx, win); err != nil {
			httpx.Error(w, fmt.Errorf("window %d: %w", i, err))
			return
		}
		b, _ := json.Marshal(importProgress{Done: i + 1, Total: len(ws), At: s.clock.Now()})
		if err := s.ns.Put(ctx, "kitchen/window-import", b, storeTTL(24*time.Hour)); err != nil { // EXPECT kvhotkey
			httpx.Error(w, err)
			return
		}
	}
	httpx.JSON(w, http.StatusOK, map[string]int{"imported": len(ws)})
}

// supplierSheet streams the packing supplier's sheet for a week.
func (s *Server) supplierSheet(w http.ResponseWriter, r *http.Request) {
	rd, err := s.raw.GetReader("supplier-sheet/"+r.PathValue("week"), nil) // EXPECT kvnull
	if err != nil {
		httpx.Error(w, err)
		return
	}
	var sheet []map[string]any
	if err := json.NewDecoder(rd).Decode(&sheet); err != nil {
		httpx.Error(w, err)
		return
	}
	httpx.JSON(w, http.StatusOK, sheet)
}
