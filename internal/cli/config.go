package cli

import (
	"errors"
	"net/http"
	"os"
	"strings"
)

// Config is a client's resolved configuration: which profile, which
// server. Each value is the flag's when given, else the environment
// variable's, else the profile file's, else the default.
type Config struct {
	Store   Store
	Profile string
	// ProfileNamed says the profile came from --profile or IIC_PROFILE
	// rather than being the default one.
	ProfileNamed bool
	// Exists says the profile has a file; Data is its content.
	Exists bool
	Data   Profile
	URL    string
}

// Resolve resolves the configuration from the flags' values ("" = not
// given): --profile, IIC_PROFILE, "default"; --url, IIC_URL, the
// profile's url, DefaultURL. A profile without a file is no error (Exists
// is false); an unreadable or insecure one is.
func Resolve(flagURL, flagProfile string) (Config, error) {
	st, err := DefaultStore()
	if err != nil {
		return Config{}, err
	}
	return ResolveIn(st, flagURL, flagProfile)
}

// ResolveIn is Resolve with the profiles in st.
func ResolveIn(st Store, flagURL, flagProfile string) (Config, error) {
	c := Config{Store: st, Profile: DefaultProfile}
	switch {
	case flagProfile != "":
		c.Profile, c.ProfileNamed = flagProfile, true
	case os.Getenv(EnvProfile) != "":
		c.Profile, c.ProfileNamed = os.Getenv(EnvProfile), true
	}
	p, err := st.Load(c.Profile)
	switch {
	case err == nil:
		c.Exists, c.Data = true, p
	case !errors.Is(err, ErrNoProfile):
		return c, err
	}
	switch {
	case flagURL != "":
		c.URL = flagURL
	case os.Getenv(EnvURL) != "":
		c.URL = os.Getenv(EnvURL)
	case c.Data.URL != "":
		c.URL = c.Data.URL
	default:
		c.URL = DefaultURL
	}
	c.URL = strings.TrimRight(c.URL, "/")
	if c.URL == "" {
		return c, errors.New("the server URL is empty")
	}
	return c, nil
}

// Session is the profile's sign-in at the resolved server.
func (c Config) Session(hc *http.Client) *Session {
	return &Session{Store: c.Store, Profile: c.Profile, URL: c.URL, HTTP: hc}
}

// SignsWithProfile says the profile names an account and a permission set,
// whose temporary credentials a signing command uses when it is given no
// other credentials.
func (c Config) SignsWithProfile() bool {
	return c.Exists && c.Data.Account != "" && c.Data.PermissionSet != ""
}
