package dispatch

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// drainJobs runs due jobs in every lane until none is due at now, and
// fails when ten rounds leave some due (a job that keeps itself due).
func drainJobs(t testing.TB, db *store.DB, d *Dispatcher, now time.Time) {
	t.Helper()
	for range 10 {
		jobs, err := db.DueJobs(now, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) == 0 {
			return
		}
		runLanes(d)
	}
	t.Fatal("the outbox did not drain")
}

// rigPeople are the people every rig's chat knows: u-NAME, NAME@example.com.
var rigPeople = []string{"alice", "bob", "carol", "dave", "erin", "sam", "adm"}

// fakeChat is the dispatch tests' setbot.Chat. Posts get ids post-1,
// post-2, … in the order made; a repeated key returns the first post's id
// without posting again, as Mattermost's pending_post_id does. It knows the
// people in users, the files in files and the channels in channels, and
// answers ENotFound for anything else, in the real chat's words.
type fakeChat struct {
	mu       sync.Mutex
	posts    []setbot.Reply
	ids      []setbot.PostID
	made     int
	keys     map[string]setbot.PostID
	users    map[setbot.Username]setbot.User
	lookup   error // returned by UserByName while set
	files    map[setbot.FileID]setbot.File
	channels map[string]setbot.ChannelID
	messages map[setbot.PostID]setbot.Message // what Message finds
	added    []string                         // AddToChannel calls, as "channel: u1 u2"
	panics   bool                             // Message panics, like a bug would
	hang     chan struct{}                    // Message blocks until it is closed
	hung     int                              // Message calls that reached hang
	finds    int                              // FindPost calls
	// expired makes Post forget keys, as Mattermost does after 30 s;
	// FindPost still finds them (by the post's property).
	expired bool
	postErr error // returned by Post while set
	// downloads is where File copies a file whose content is on disk, as
	// bot.Client.File downloads it ("": os.TempDir()).
	downloads string
}

var _ setbot.Chat = (*fakeChat)(nil)

// newFakeChat returns a chat that knows rigPeople.
func newFakeChat() *fakeChat {
	c := &fakeChat{keys: map[string]setbot.PostID{}, users: map[setbot.Username]setbot.User{},
		files: map[setbot.FileID]setbot.File{}, channels: map[string]setbot.ChannelID{}}
	for _, n := range rigPeople {
		c.users[setbot.Username(n)] = setbot.User{ID: setbot.UserID("u-" + n), Username: setbot.Username(n), Email: n + "@example.com"}
	}
	return c
}

func (c *fakeChat) Post(_ context.Context, r setbot.Reply, key string) (setbot.PostID, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.postErr != nil {
		return "", c.postErr
	}
	if id, ok := c.keys[key]; ok && key != "" && !c.expired {
		return id, nil
	}
	c.made++
	id := setbot.PostID(fmt.Sprintf("post-%d", c.made))
	c.posts, c.ids = append(c.posts, r), append(c.ids, id)
	if key != "" {
		c.keys[key] = id
	}
	return id, nil
}

// FindPost finds a post made with key (the fake keeps every key).
func (c *fakeChat) FindPost(_ context.Context, _ setbot.Reply, key string, _ time.Time) (setbot.PostID, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.finds++
	id, ok := c.keys[key]
	return id, ok && key != "", nil
}

func (c *fakeChat) Typing(context.Context, setbot.ChannelID, setbot.UserID, setbot.PostID) error {
	return nil
}

func (c *fakeChat) File(_ context.Context, id setbot.FileID, _ int64) (setbot.File, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.files[id]; ok {
		if f.Content.Path == "" {
			return f, nil
		}
		return download(f, c.downloads)
	}
	return setbot.File{}, setbot.Errorf(setbot.ENotFound, "There is no file %s.", id)
}

// download copies f's file to a temporary file in dir, as a download
// would: the caller removes it.
func download(f setbot.File, dir string) (setbot.File, error) {
	in, err := os.Open(f.Content.Path)
	if err != nil {
		return setbot.File{}, err
	}
	defer in.Close()
	w := setbot.NewContentWriter(dir, 0)
	if _, err := io.Copy(w, in); err != nil {
		w.Discard()
		return setbot.File{}, err
	}
	f.Content, err = w.Finish()
	return f, err
}

// hanging is how many Message calls reached hang.
func (c *fakeChat) hanging() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hung
}

func (c *fakeChat) Message(ctx context.Context, id setbot.PostID) (setbot.Message, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.panics {
		panic("fake chat: a bug")
	}
	if c.hang != nil {
		c.hung++
		c.mu.Unlock()
		select { // a Mattermost call that hangs until the test lets it go, or its context ends
		case <-c.hang:
		case <-ctx.Done():
		}
		c.mu.Lock()
	}
	if m, ok := c.messages[id]; ok {
		return m, nil
	}
	return setbot.Message{}, setbot.Errorf(setbot.ENotFound, "There is no post %s.", id)
}

func (c *fakeChat) UserByName(_ context.Context, n setbot.Username) (setbot.User, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lookup != nil {
		return setbot.User{}, c.lookup
	}
	if u, ok := c.users[n]; ok {
		return u, nil
	}
	return setbot.User{}, setbot.Errorf(setbot.ENotFound, "There is no user @%s.", n)
}

func (c *fakeChat) User(_ context.Context, id setbot.UserID) (setbot.User, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, u := range c.users {
		if u.ID == id {
			return u, nil
		}
	}
	return setbot.User{}, setbot.Errorf(setbot.ENotFound, "There is no user %s.", id)
}

func (c *fakeChat) ChannelByName(_ context.Context, name string) (setbot.ChannelID, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if id, ok := c.channels[strings.TrimPrefix(name, "~")]; ok {
		return id, nil
	}
	return "", setbot.Errorf(setbot.ENotFound, "There is no channel %s that I can see.", name)
}

func (c *fakeChat) Permalink(id setbot.PostID) string {
	return "https://chat.example.com/pl/" + string(id)
}

func (c *fakeChat) Header(context.Context, setbot.ChannelID) (string, error)  { return "", nil }
func (c *fakeChat) SetHeader(context.Context, setbot.ChannelID, string) error { return nil }

// AddToChannel records who was added where, as "channel: u1 u2".
func (c *fakeChat) AddToChannel(_ context.Context, ch setbot.ChannelID, users []setbot.UserID) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	line := string(ch) + ":"
	for _, u := range users {
		line += " " + string(u)
	}
	c.added = append(c.added, line)
	return nil
}

// take returns and forgets the posts made since the last take.
func (c *fakeChat) take() []setbot.Reply {
	p, _ := c.takeWithIDs()
	return p
}

// takeWithIDs is take with each post's id.
func (c *fakeChat) takeWithIDs() ([]setbot.Reply, []setbot.PostID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ids := c.posts, c.ids
	c.posts, c.ids = nil, nil
	return p, ids
}

// fakeTracker is the dispatch tests' setbot.Tracker. It records calls
// ("get SET-7", "comment SET-7", …); err, when set, is returned by every
// call (and cleared after fail calls, when fail > 0), and errs[verb] by the
// calls of one verb ("get", "comment") while set. Get finds every key,
// or, when issues is set, only those, answering ENotFound like Jira.
type fakeTracker struct {
	mu       sync.Mutex
	calls    []string
	err      error
	fail     int // calls that return err; 0: all of them
	errs     map[string]error
	issues   map[setbot.IssueKey]setbot.Issue
	similar  []setbot.Issue
	comments []trackedComment
	filed    int
	attached map[string][]byte // what FileOnce was given to attach, by name
}

type trackedComment struct {
	key   setbot.IssueKey
	text  string
	files []setbot.TicketFile
}

var _ setbot.Tracker = (*fakeTracker)(nil)

func (f *fakeTracker) record(call string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
	verb, _, _ := strings.Cut(call, " ")
	if err := f.errs[verb]; err != nil {
		return err
	}
	if f.err == nil {
		return nil
	}
	err := f.err
	if f.fail > 0 {
		if f.fail--; f.fail == 0 {
			f.err = nil
		}
	}
	return err
}

// failing makes the calls of verb return err, or succeed again when nil.
func (f *fakeTracker) failing(verb string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.errs == nil {
		f.errs = map[string]error{}
	}
	f.errs[verb] = err
}

func (f *fakeTracker) FileOnce(_ context.Context, r setbot.TicketRequest) (setbot.Issue, error) {
	if err := f.record("file " + r.Intake.ID); err != nil {
		return setbot.Issue{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.filed++
	for _, tf := range r.Files {
		if f.attached == nil {
			f.attached = map[string][]byte{}
		}
		f.attached[tf.Name] = readContent(tf.Content)
	}
	return setbot.Issue{Key: "SET-900", URL: "https://jira.example.com/browse/SET-900"}, nil
}

// readContent reads c whole (nil when it cannot be read), as Jira would.
func readContent(c setbot.Content) []byte {
	r, err := c.Open()
	if err != nil {
		return nil
	}
	defer r.Close()
	b, _ := io.ReadAll(r)
	return b
}

func (f *fakeTracker) Similar(_ context.Context, in setbot.Intake, max int) ([]setbot.Issue, error) {
	if err := f.record("similar " + in.Summary); err != nil {
		return nil, err
	}
	return f.similar[:min(max, len(f.similar))], nil
}

func (f *fakeTracker) Comment(_ context.Context, key setbot.IssueKey, text string, files []setbot.TicketFile) error {
	if err := f.record("comment " + string(key)); err != nil {
		return err
	}
	f.mu.Lock()
	f.comments = append(f.comments, trackedComment{key, text, files})
	f.mu.Unlock()
	return nil
}

func (f *fakeTracker) Assign(_ context.Context, key setbot.IssueKey, user setbot.Username, email string) error {
	return f.record("assign " + string(key) + " " + string(user) + " " + email)
}

func (f *fakeTracker) SetPriority(_ context.Context, key setbot.IssueKey, p setbot.Priority) error {
	return f.record("priority " + string(key) + " " + p.String())
}

func (f *fakeTracker) Handover(_ context.Context, key setbot.IssueKey, team, comment string) error {
	return f.record("handover " + string(key) + " " + team + " " + strings.ReplaceAll(comment, "\n", "⏎"))
}

func (f *fakeTracker) Get(_ context.Context, key setbot.IssueKey) (setbot.Issue, error) {
	if err := f.record("get " + string(key)); err != nil {
		return setbot.Issue{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	is, ok := f.issues[key]
	if !ok && f.issues != nil {
		return setbot.Issue{}, setbot.Errorf(setbot.ENotFound, "Jira has no ticket %s.", key)
	}
	is.Key, is.URL = key, "https://jira.example.com/browse/"+string(key)
	return is, nil
}

// commentLines are the comments made, as "KEY: text".
func (f *fakeTracker) commentLines() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.comments {
		out = append(out, string(c.key)+": "+c.text)
	}
	return out
}

func (f *fakeTracker) takeCalls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

// onceTracker is fakeTracker that is also a setbot.OnceCommenter, with
// Jira's once semantics: a ref's comment is made on its first call only.
// The first lose calls make the comment but lose the answer (EUnavailable),
// like a timeout after Jira accepted it.
type onceTracker struct {
	*fakeTracker
	mu   sync.Mutex
	refs []string       // "comment <ref>" or "handover <ref>", per call
	made map[string]int // calls, by ref
	lose int
}

var _ setbot.OnceCommenter = (*onceTracker)(nil)

func newOnceTracker(f *fakeTracker, lose int) *onceTracker {
	return &onceTracker{fakeTracker: f, made: map[string]int{}, lose: lose}
}

func (o *onceTracker) once(kind, ref string, c trackedComment) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.refs = append(o.refs, kind+" "+ref)
	if o.made[ref] == 0 {
		o.fakeTracker.mu.Lock()
		o.fakeTracker.comments = append(o.fakeTracker.comments, c)
		o.fakeTracker.mu.Unlock()
	}
	o.made[ref]++
	if o.lose > 0 {
		o.lose--
		return setbot.Errorf(setbot.EUnavailable, "Jira is not answering right now.")
	}
	return nil
}

func (o *onceTracker) CommentOnce(_ context.Context, key setbot.IssueKey, ref, text string, files []setbot.TicketFile) error {
	return o.once("comment", ref, trackedComment{key, text, files})
}

func (o *onceTracker) HandoverOnce(_ context.Context, key setbot.IssueKey, ref, team, comment string) error {
	return o.once("handover", ref, trackedComment{key: key, text: team + ": " + comment})
}

func (o *onceTracker) takeRefs() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	r := o.refs
	o.refs = nil
	return r
}
