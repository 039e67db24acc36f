package bot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
)

// ActionPath is where Mattermost delivers button clicks.
const ActionPath = "/mattermost/actions"

// maxActionBody bounds a button callback's body; real ones are a few hundred bytes.
const maxActionBody = 64 << 10

func actionURL(public string) string { return strings.TrimRight(public, "/") + ActionPath }

// signer signs button actions so that a click can only carry an action that
// setbot itself put on a button.
type signer struct{ key []byte }

func (s *signer) sign(action string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(action))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *signer) verify(action, sig string) bool {
	want := s.sign(action)
	return hmac.Equal([]byte(want), []byte(sig))
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
		if action == "" || !c.sign.verify(action, sig) {
			log.Warn().Str("user_id", req.UserId).Msg("button callback with a bad signature refused")
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		text := h(r.Context(), setbot.Click{
			UserID:    setbot.UserID(req.UserId),
			Username:  setbot.Username(req.UserName),
			PostID:    setbot.PostID(req.PostId),
			ChannelID: setbot.ChannelID(req.ChannelId),
			Action:    action,
		})
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(model.PostActionIntegrationResponse{EphemeralText: text})
	})
}
