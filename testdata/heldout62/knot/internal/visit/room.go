package visit

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/meridiancare/knot/internal/kvstore"
)

const (
	transcriptTTL   = 30 * 24 * time.Hour
	participantsTTL = 4 * time.Hour
	vitalsTTL       = 7 * 24 * time.Hour
)

// VitalReading is one patient-reported measurement from a paired device.
type VitalReading struct {
	Kind  string    `json:"kind"`
	Value float64   `json:"value"`
	Unit  string    `json:"unit"`
	At    time.Time `json:"at"`
}

type clientMessage struct {
	Type    string         `json:"type"`
	Text    string         `json:"text,omitempty"`
	Camera  bool           `json:"camera,omitempty"`
	Mic     bool           `json:"mic,omitempty"`
	Sharing bool           `json:"sharing,omitempty"`
	Vitals  []VitalReading `json:"vitals,omitempty"`
}

type transcriptLine struct {
	From string    `json:"from"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

type roomState struct {
	Participant string    `json:"participant"`
	Role        string    `json:"role"`
	Camera      bool      `json:"camera"`
	Mic         bool      `json:"mic"`
	Sharing     bool      `json:"sharing"`
	At          time.Time `json:"at"`
}

// RoomHub serves /visit/ws?token=... for participants of a video visit.
type RoomHub struct {
	Rooms   *kvstore.Namespace
	Origins []string
}

func (h *RoomHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token := r.URL.Query().Get("token")
	if token == "" {
		http.Error(w, "missing token", http.StatusUnauthorized)
		return
	}
	var tok roomToken
	found, err := h.Rooms.GetJSON(ctx, "roomtok:"+token, &tok)
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if !found {
		http.Error(w, "room token expired", http.StatusUnauthorized)
		return
	}
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: h.Origins})
	if err != nil {
		return
	}
	defer c.CloseNow()
	if err := h.serve(ctx, c, tok); err != nil {
		slog.InfoContext(ctx, "visit socket closed", "visit", tok.VisitID, "role", tok.Role, "err", err)
	}
	_ = c.Close(websocket.StatusNormalClosure, "")
}

func (h *RoomHub) serve(ctx context.Context, c *websocket.Conn, tok roomToken) error {
	participantsKey := "visit-participants:" + tok.VisitID
	var present []string
	if _, err := h.Rooms.GetJSON(ctx, participantsKey, &present); err != nil {
		return err
	}
	present = append(present, tok.ParticipantID)
	if err := h.Rooms.PutJSON(ctx, participantsKey, present, participantsTTL); err != nil { // EXPECT kvrace
		return err
	}
	defer func() {
		present = slices.DeleteFunc(present, func(p string) bool { return p == tok.ParticipantID })
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := h.Rooms.PutJSON(bg, participantsKey, present, participantsTTL); err != nil { // EXPECT kvrace
			slog.WarnContext(bg, "participant list update failed", "visit", tok.VisitID, "err", err)
		}
	}()

	if err := h.replayTranscript(ctx, c, tok.VisitID); err != nil {
		return err
	}

	var (
		seq      int
		received int
		vitals   []VitalReading
	)
	for {
		var msg clientMessage
		if err := wsjson.Read(ctx, c, &msg); err != nil {
			break
		}
		received++
		switch msg.Type {
		case "chat":
			seq++
			line := transcriptLine{From: tok.Role, Text: msg.Text, At: time.Now().UTC()}
			key := fmt.Sprintf("transcript:%s:%s:%06d", tok.VisitID, tok.ParticipantID, seq)
			if err := h.Rooms.PutJSON(ctx, key, line, transcriptTTL); err != nil {
				slog.WarnContext(ctx, "transcript write failed", "visit", tok.VisitID, "err", err)
			}
		case "state":
			state := roomState{
				Participant: tok.ParticipantID, Role: tok.Role,
				Camera: msg.Camera, Mic: msg.Mic, Sharing: msg.Sharing, At: time.Now().UTC(),
			}
			if err := h.Rooms.PutJSON(ctx, "visit-state:"+tok.VisitID, state, participantsTTL); err != nil { // EXPECT kvhotkey
				slog.WarnContext(ctx, "room state write failed", "visit", tok.VisitID, "err", err)
			}
		case "vitals":
			vitals = append(vitals, msg.Vitals...)
		case "ping":
			_ = wsjson.Write(ctx, c, map[string]string{"type": "pong"})
		}
	}

	bg := context.WithoutCancel(ctx)
	if len(vitals) > 0 {
		key := fmt.Sprintf("vitals:%s:%s", tok.VisitID, tok.ParticipantID)
		if err := h.Rooms.PutJSON(bg, key, vitals, vitalsTTL); err != nil {
			slog.ErrorContext(bg, "vitals flush failed", "visit", tok.VisitID, "count", len(vitals), "err", err)
		}
	}
	countKey := fmt.Sprintf("visit-msgcount:%s:%s", tok.VisitID, tok.Role)
	return h.Rooms.Put(bg, countKey, []byte(strconv.Itoa(received)), transcriptTTL) // EXPECT kvcounter
}

// replayTranscript sends earlier chat lines to a participant who (re)joins.
func (h *RoomHub) replayTranscript(ctx context.Context, c *websocket.Conn, visitID string) error {
	page, err := h.Rooms.ListPage(ctx, "transcript:"+visitID+":", "", 1000) // EXPECT kvlist
	if err != nil {
		return err
	}
	lines := make([]transcriptLine, 0, len(page.Keys))
	for _, k := range page.Keys {
		raw, err := h.Rooms.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			continue
		}
		var l transcriptLine
		if err := json.Unmarshal(raw, &l); err == nil {
			lines = append(lines, l)
		}
	}
	slices.SortFunc(lines, func(a, b transcriptLine) int { return a.At.Compare(b.At) })
	return wsjson.Write(ctx, c, map[string]any{"type": "transcript", "lines": lines})
}
