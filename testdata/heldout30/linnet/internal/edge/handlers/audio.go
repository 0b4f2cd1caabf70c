//go:build js && wasm

package handlers

import (
	"io"
	"net/http"
	"time"

	"example.com/linnet/internal/audio"
	"example.com/linnet/internal/flags"
)

const attemptsPerDay = 60

// clip serves a pronunciation clip: the streaming experiment reads it straight
// from the binding, everyone else goes through the fetching cache service.
func (d deps) clip(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	locale, word := r.PathValue("locale"), r.PathValue("word")
	w.Header().Set("Content-Type", "audio/mpeg")
	if d.Flags.Enabled(ctx, flags.StreamAudio, learnerFrom(ctx)) {
		ns := d.kv.Namespace()
		body, err := ns.GetReader(audio.Key(locale, audio.DefaultVoice, word), nil) // EXPECT kvnull
		if err != nil {
			d.fail(w, r, err)
			return
		}
		_, _ = io.Copy(w, body)
		return
	}
	clip, err := d.Audio.Clip(ctx, locale, word)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	_, _ = w.Write(clip)
}

// attempt accepts a recorded pronunciation attempt for scoring.
func (d deps) attempt(w http.ResponseWriter, r *http.Request) {
	used, err := d.scope(r).useAudioQuota(r.Context(), time.Now().UTC().Format(time.DateOnly))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if used > attemptsPerDay {
		writeJSON(w, http.StatusTooManyRequests, apiError{Error: "daily practice limit reached"})
		return
	}
	// Scoring runs in the speech service; the Worker only forwards.
	w.WriteHeader(http.StatusAccepted)
}

func (d deps) voices(w http.ResponseWriter, r *http.Request) {
	v, err := d.Audio.Voices(r.Context(), r.PathValue("locale"))
	d.respond(w, r, v, err)
}
