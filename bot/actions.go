package bot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
)

// ActionPath is where Mattermost delivers button clicks.
const ActionPath = "/mattermost/actions"

// maxActionBody bounds a button callback's body; real ones are a few hundred bytes.
const maxActionBody = 64 << 10

func actionURL(public string) string { return strings.TrimRight(public, "/") + ActionPath }

// buttonLife is how long a posted button works: as long as setbot keeps a
// page (14 days), longer than an intake lives and than a week's reports.
// After it, the button answers that it expired; every button has a text
// command that does the same.
const buttonLife = 14 * 24 * time.Hour

// signer signs button actions so that a click can only carry an action that
// setbot itself put on a button, in the channel it was posted in, before
// the button expires.
type signer struct{ key []byte }

// sign signs action, posted in channel, valid until exp (Unix seconds).
func (s *signer) sign(action, channel, exp string) string {
	m := hmac.New(sha256.New, s.key)
	for _, part := range []string{"v2", action, channel, exp} {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verify checks a click's signature; it does not look at the time.
func (s *signer) verify(action, channel, exp, sig string) bool {
	want := s.sign(action, channel, exp)
	return hmac.Equal([]byte(want), []byte(sig))
}

// expired reports whether a signed expiry lies before now (or is unreadable).
func expired(exp string, now time.Time) bool {
	t, err := strconv.ParseInt(exp, 10, 64)
	return err != nil || now.Unix() > t
}

// buttonContext is the signed context of a button posted in channel.
func (c *Client) buttonContext(action, channel string) map[string]any {
	exp := strconv.FormatInt(c.now().Add(buttonLife).Unix(), 10)
	return map[string]any{"action": action, "exp": exp, "sig": c.sign.sign(action, channel, exp)}
}

// ClickHandler answers a verified click with a short text shown only to the
// person who clicked (may be empty).
type ClickHandler func(ctx context.Context, c setbot.Click) string

// ActionHandler returns the HTTP handler for button callbacks. A callback
// whose signature does not verify is refused with 403 and never reaches h.
func (c *Client) ActionHandler(log zerolog.Logger, h ClickHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		var req model.PostActionIntegrationRequest
		if err := json.NewDecoder(io.LimitReader(r.Body, maxActionBody)).Decode(&req); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		action, _ := req.Context["action"].(string)
		sig, _ := req.Context["sig"].(string)
		exp, _ := req.Context["exp"].(string)
		if action == "" || !c.sign.verify(action, req.ChannelId, exp, sig) {
			log.Warn().Str("user_id", req.UserId).Msg("button callback with a bad signature refused")
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		text := "This button has expired. Use the command it stands for instead (`help` lists them)."
		if !expired(exp, c.now()) {
			text = h(r.Context(), setbot.Click{
				UserID:    setbot.UserID(req.UserId),
				Username:  setbot.Username(req.UserName),
				PostID:    setbot.PostID(req.PostId),
				ChannelID: setbot.ChannelID(req.ChannelId),
				Action:    action,
			})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(model.PostActionIntegrationResponse{EphemeralText: text})
	})
}
