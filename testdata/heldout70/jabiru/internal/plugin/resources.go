package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"

	"github.com/jabiru-observability/jabiru/internal/annotations"
	"github.com/jabiru-observability/jabiru/internal/querycache"
	"github.com/jabiru-observability/jabiru/internal/silences"
	"github.com/jabiru-observability/jabiru/internal/snapshots"
	"github.com/jabiru-observability/jabiru/internal/tokens"
)

func send(sender backend.CallResourceResponseSender, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return sender.Send(&backend.CallResourceResponse{
		Status:  status,
		Headers: map[string][]string{"Content-Type": {"application/json"}},
		Body:    body,
	})
}

func sendErr(sender backend.CallResourceResponseSender, status int, err error) error {
	return send(sender, status, map[string]string{"error": err.Error()})
}

// CallResource serves the plugin's resource API under
// /api/datasources/uid/<uid>/resources/.
func (d *Datasource) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	pc := req.PluginContext
	h := d.orgs.For(pc.OrgID)
	user := "system"
	if pc.User != nil {
		user = pc.User.Login
	}
	var query url.Values
	if u, err := url.Parse(req.URL); err == nil {
		query = u.Query()
	}
	seg, rest, _ := strings.Cut(strings.Trim(req.Path, "/"), "/")

	switch {
	case seg == "snapshots" && req.Method == http.MethodPost && rest == "":
		var cr snapshots.CreateRequest
		if err := json.Unmarshal(req.Body, &cr); err != nil {
			return sendErr(sender, http.StatusBadRequest, err)
		}
		snap, err := d.snaps.Create(ctx, h, user, cr)
		if err != nil {
			return sendErr(sender, http.StatusInternalServerError, err)
		}
		return send(sender, http.StatusCreated, map[string]any{"id": snap.ID, "url": "/s/" + snap.ID, "expiresAt": snap.ExpiresAt})

	case seg == "snapshots" && req.Method == http.MethodGet && rest == "":
		limit, _ := strconv.Atoi(query.Get("limit"))
		ids, next, err := d.snaps.Page(ctx, h, query.Get("cursor"), max(limit, 50))
		if err != nil {
			return sendErr(sender, http.StatusBadGateway, err)
		}
		return send(sender, http.StatusOK, map[string]any{"ids": ids, "cursor": next})

	case seg == "snapshots" && req.Method == http.MethodGet && rest == "export":
		all, err := d.snaps.Export(ctx, h)
		if err != nil {
			return sendErr(sender, http.StatusBadGateway, err)
		}
		return send(sender, http.StatusOK, all)

	case seg == "snapshots" && req.Method == http.MethodPost && strings.HasSuffix(rest, "/magic-link"):
		code, err := d.snaps.IssueMagicLink(ctx, h, strings.TrimSuffix(rest, "/magic-link"))
		if err != nil {
			return sendErr(sender, http.StatusInternalServerError, err)
		}
		return send(sender, http.StatusCreated, map[string]string{"url": "/m/" + code})

	case seg == "snapshots" && req.Method == http.MethodDelete && rest != "":
		if err := d.snaps.Delete(ctx, h, rest); err != nil {
			return sendErr(sender, http.StatusInternalServerError, err)
		}
		return send(sender, http.StatusNoContent, nil)

	case seg == "tokens" && req.Method == http.MethodPost && rest == "":
		var body struct {
			Name      string    `json:"name"`
			Scopes    []string  `json:"scopes"`
			ExpiresAt time.Time `json:"expiresAt"`
		}
		if err := json.Unmarshal(req.Body, &body); err != nil {
			return sendErr(sender, http.StatusBadRequest, err)
		}
		if !body.ExpiresAt.After(time.Now()) {
			return sendErr(sender, http.StatusBadRequest, errors.New("expiresAt must be in the future"))
		}
		secret, rec, err := d.tokens.Mint(ctx, h, user, body.Name, body.Scopes, body.ExpiresAt)
		if err != nil {
			return sendErr(sender, http.StatusInternalServerError, err)
		}
		return send(sender, http.StatusCreated, map[string]any{"token": secret, "record": rec})

	case seg == "tokens" && req.Method == http.MethodPost && strings.HasSuffix(rest, "/rotate"):
		secret, rec, err := d.tokens.Rotate(ctx, h, user, strings.TrimSuffix(rest, "/rotate"))
		if errors.Is(err, tokens.ErrUnknown) {
			return sendErr(sender, http.StatusNotFound, err)
		} else if err != nil {
			return sendErr(sender, http.StatusInternalServerError, err)
		}
		return send(sender, http.StatusOK, map[string]any{"token": secret, "record": rec})

	case seg == "tokens" && req.Method == http.MethodPut && strings.HasSuffix(rest, "/scopes"):
		var scopes []string
		if err := json.Unmarshal(req.Body, &scopes); err != nil {
			return sendErr(sender, http.StatusBadRequest, err)
		}
		rec, err := d.tokens.SetScopes(ctx, h, strings.TrimSuffix(rest, "/scopes"), scopes)
		if errors.Is(err, tokens.ErrUnknown) {
			return sendErr(sender, http.StatusNotFound, err)
		} else if err != nil {
			return sendErr(sender, http.StatusInternalServerError, err)
		}
		return send(sender, http.StatusOK, rec)

	case seg == "tokens" && req.Method == http.MethodDelete && rest != "":
		if err := d.tokens.Revoke(ctx, h, rest); err != nil {
			return sendErr(sender, http.StatusInternalServerError, err)
		}
		return send(sender, http.StatusNoContent, nil)

	case seg == "silences" && req.Method == http.MethodPost && rest == "":
		var sil silences.Silence
		if err := json.Unmarshal(req.Body, &sil); err != nil {
			return sendErr(sender, http.StatusBadRequest, err)
		}
		sil.CreatedBy = user
		created, err := d.silences.Create(ctx, h, sil)
		if errors.Is(err, silences.ErrExists) {
			return sendErr(sender, http.StatusConflict, err)
		} else if err != nil {
			return sendErr(sender, http.StatusInternalServerError, err)
		}
		return send(sender, http.StatusCreated, created)

	case seg == "silences" && req.Method == http.MethodGet && rest == "":
		ids, complete, err := d.silences.Active(ctx, h, h.Limits.MaxListPages)
		if err != nil {
			return sendErr(sender, http.StatusBadGateway, err)
		}
		return send(sender, http.StatusOK, map[string]any{"ids": ids, "complete": complete})

	case seg == "silences" && req.Method == http.MethodDelete && rest != "":
		if err := d.silences.Expire(ctx, h, rest); err != nil {
			return sendErr(sender, http.StatusInternalServerError, err)
		}
		return send(sender, http.StatusAccepted, nil)

	case seg == "silences" && req.Method == http.MethodPost && rest == "sync":
		var upstream []silences.Silence
		if err := json.Unmarshal(req.Body, &upstream); err != nil {
			return sendErr(sender, http.StatusBadRequest, err)
		}
		if err := d.silences.Sync(ctx, h, upstream); err != nil {
			return sendErr(sender, http.StatusBadGateway, err)
		}
		return send(sender, http.StatusOK, map[string]int{"synced": len(upstream)})

	case seg == "silences" && req.Method == http.MethodPost && rest == "backfill":
		var old []silences.Silence
		if err := json.Unmarshal(req.Body, &old); err != nil {
			return sendErr(sender, http.StatusBadRequest, err)
		}
		if err := d.silences.Backfill(ctx, h, old); err != nil {
			return sendErr(sender, http.StatusBadGateway, err)
		}
		return send(sender, http.StatusOK, map[string]int{"imported": len(old)})

	case seg == "silences" && req.Method == http.MethodPut && rest == "maintenance":
		var windows []struct{ From, To string }
		if err := json.Unmarshal(req.Body, &windows); err != nil {
			return sendErr(sender, http.StatusBadRequest, err)
		}
		grid := make([][2]time.Duration, 0, len(windows))
		for _, w := range windows {
			from, err1 := time.ParseDuration(w.From)
			to, err2 := time.ParseDuration(w.To)
			if err := errors.Join(err1, err2); err != nil {
				return sendErr(sender, http.StatusBadRequest, err)
			}
			grid = append(grid, [2]time.Duration{from, to})
		}
		if err := d.silences.MaintenanceGrid(ctx, h, grid); err != nil {
			return sendErr(sender, http.StatusBadGateway, err)
		}
		return send(sender, http.StatusNoContent, nil)

	case seg == "silences" && req.Method == http.MethodDelete && rest == "":
		n, err := d.silences.Purge(ctx, h)
		if err != nil {
			return sendErr(sender, http.StatusBadGateway, err)
		}
		return send(sender, http.StatusOK, map[string]int{"purged": n})

	case seg == "cache" && req.Method == http.MethodPost && rest == "warm":
		var body struct {
			Expr   string            `json:"expr"`
			From   time.Time         `json:"from"`
			To     time.Time         `json:"to"`
			Step   string            `json:"step"`
			Result querycache.Result `json:"result"`
		}
		if err := json.Unmarshal(req.Body, &body); err != nil {
			return sendErr(sender, http.StatusBadRequest, err)
		}
		step, _ := time.ParseDuration(body.Step)
		key := querycache.KeyFor(h, body.Expr, body.From, body.To, step)
		if err := d.cache.Warm(ctx, h, key, &body.Result); err != nil {
			return sendErr(sender, http.StatusBadGateway, err)
		}
		return send(sender, http.StatusNoContent, nil)

	case seg == "quota" && req.Method == http.MethodGet:
		u, err := d.quotas.Current(ctx, h)
		if err != nil {
			return sendErr(sender, http.StatusBadGateway, err)
		}
		return send(sender, http.StatusOK, u)
	}
	return d.resources.CallResource(ctx, req, sender)
}

// annotationRoutes serves /annotations through a plain mux; the adapter puts
// the plugin context on each request's context.
func (d *Datasource) annotationRoutes() backend.CallResourceHandler {
	mux := http.NewServeMux()
	mux.HandleFunc("/annotations", func(w http.ResponseWriter, r *http.Request) {
		pc := backend.PluginConfigFromContext(r.Context())
		h := d.orgs.For(pc.OrgID)
		switch r.Method {
		case http.MethodGet:
			feed, err := d.notes.Feed(r.Context(), h)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			writeJSON(w, http.StatusOK, feed)
		case http.MethodPost:
			var a annotations.Annotation
			if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if u := backend.UserFromContext(r.Context()); u != nil {
				a.Author = u.Login
			}
			saved, err := d.notes.Add(r.Context(), h, a)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			writeJSON(w, http.StatusCreated, saved)
		default:
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
	})
	mux.HandleFunc("/annotations/import", func(w http.ResponseWriter, r *http.Request) {
		h := d.orgs.For(backend.PluginConfigFromContext(r.Context()).OrgID)
		var batch []annotations.Annotation
		if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var (
			n   int
			err error
		)
		if r.URL.Query().Get("archive") == "true" {
			err = d.notes.ImportArchive(r.Context(), h, batch, 400*24*time.Hour)
			n = len(batch)
		} else {
			n, err = d.notes.Import(r.Context(), h, batch)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"imported": n})
	})
	return httpadapter.New(mux)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
