package httpapi

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"example.com/dunlin/internal/game"
	"example.com/dunlin/internal/moderation"
)

// staffHandler serves the moderation console under /staff/.
type staffHandler struct {
	console *moderation.Console
	tokens  map[string]game.Role
}

func (h *staffHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	role, ok := h.tokens[tok]
	if !ok {
		writeErr(w, http.StatusUnauthorized, errors.New("staff token required"))
		return
	}
	ctx, q, staff := r.Context(), r.URL.Query(), r.Header.Get("X-Staff-Name")
	switch page := strings.TrimPrefix(r.URL.Path, "/staff/"); {
	case page == "players":
		out, next, err := h.console.Page(ctx, role, q.Get("cursor"))
		reply(w, http.StatusOK, map[string]any{"players": out, "next": next}, err)
	case page == "players/export" && role == game.RoleAdmin:
		w.Header().Set("Content-Type", "application/x-ndjson")
		if _, err := h.console.Export(ctx, w); err != nil {
			// Headers are gone already; leave a trailer line for the operator.
			_, _ = w.Write([]byte(`{"error":"` + err.Error() + `"}` + "\n"))
		}
	case page == "players/search":
		out, err := h.console.Search(ctx, q.Get("q"))
		reply(w, http.StatusOK, out, err)
	case page == "players/flagged":
		out, next, err := h.console.Flagged(ctx, q.Get("cursor"))
		reply(w, http.StatusOK, map[string]any{"players": out, "next": next}, err)
	case page == "bans" && r.Method == http.MethodGet:
		out, err := h.console.Bans(ctx)
		reply(w, http.StatusOK, out, err)
	case page == "bans":
		var req struct {
			Player string `json:"player"`
			Reason string `json:"reason"`
			Hours  int    `json:"hours"`
		}
		if bind(w, r, http.MethodPost, &req) {
			b := moderation.Ban{Player: req.Player, Reason: req.Reason, By: staff, Until: time.Now().Add(time.Duration(req.Hours) * time.Hour)}
			reply(w, http.StatusCreated, b, h.console.BanPlayer(ctx, b))
		}
	case page == "notes" && r.Method == http.MethodGet:
		out, err := h.console.NoteKeys(ctx, q.Get("prefix"))
		reply(w, http.StatusOK, out, err)
	case page == "notes":
		var req struct {
			Player string `json:"player"`
			Note   string `json:"note"`
		}
		if bind(w, r, http.MethodPost, &req) {
			reply(w, http.StatusNoContent, nil, h.console.AddNote(ctx, req.Player, staff, req.Note))
		}
	default:
		writeErr(w, http.StatusNotFound, errors.New("no such console page"))
	}
}
