package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/demo"
	"github.com/havenrescue/haven/internal/errs"
)

// users implements "haven users add|passwd|disable". Passwords come from
// --password-file or HAVEN_USER_PASSWORD; without either, a random one is
// generated and printed once.
func cmdUsers(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"users needs a subcommand: add, passwd or disable (see 'haven users add -h')"}
	}
	sub, args := args[0], args[1:]
	switch {
	case isHelp(sub):
		usage(stdout)
		return nil
	case sub != "add" && sub != "passwd" && sub != "disable":
		return usageError{fmt.Sprintf("unknown users subcommand %q: use add, passwd or disable", sub)}
	}
	var username, name, role, dept, phone, pwFile string
	cfg, rest, err := loadConfig("users "+sub, args, getenv, stdout, func(fs *flag.FlagSet) {
		fs.StringVar(&username, "username", "", "login `name`")
		if sub == "add" {
			fs.StringVar(&name, "name", "", "display `name` (the person's real name)")
			fs.StringVar(&role, "role", "", "`role`, one of: "+roleList())
			fs.StringVar(&dept, "department", "", "`department` name or id")
			fs.StringVar(&phone, "phone", "", "`phone` number (stored encrypted)")
		}
		if sub == "add" || sub == "passwd" {
			fs.StringVar(&pwFile, "password-file", "", "`file` holding the password (or set HAVEN_USER_PASSWORD)")
		}
	})
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("unexpected arguments %q", rest)}
	}
	if username == "" {
		return usageError{"--username is required"}
	}
	password, generated, err := readPassword(pwFile, getenv)
	if err != nil {
		return err
	}
	e, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer e.Close()
	a := auth.CLIActor()
	switch sub {
	case "add":
		deptID, err := findDepartment(ctx, e, dept)
		if err != nil {
			return err
		}
		u, err := e.auth.CreateUser(ctx, a, auth.NewUser{Username: username, DisplayName: name, Role: auth.Role(role), DepartmentID: deptID, Phone: phone, Password: password})
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "created user %s (%s)\n", u.Username, u.ID)
	case "passwd":
		u, err := e.db.UserByUsername(ctx, strings.ToLower(username))
		if err != nil {
			return describe(err)
		}
		if err := e.auth.ResetPassword(ctx, a, u.ID, password); err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "password of %s changed; its failed logins are forgotten and it is signed out everywhere\n", u.Username)
	case "disable":
		u, err := e.db.UserByUsername(ctx, strings.ToLower(username))
		if err != nil {
			return describe(err)
		}
		if err := e.auth.SetDisabled(ctx, a, u.ID, true); err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "user %s disabled and signed out\n", u.Username)
		return nil
	}
	if generated {
		fmt.Fprintf(stdout, "password: %s\n(shown once; the user should change it after signing in)\n", password)
	}
	return nil
}

func roleList() string {
	var s []string
	for _, r := range auth.Roles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}

func readPassword(file string, getenv func(string) string) (pw string, generated bool, err error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", false, fmt.Errorf("--password-file: %v", errors.Unwrap(err))
		}
		return strings.TrimRight(string(b), "\r\n"), false, nil
	}
	if pw := getenv("HAVEN_USER_PASSWORD"); pw != "" {
		return pw, false, nil
	}
	return demo.RandomPassword(), true, nil
}

func findDepartment(ctx context.Context, e *env, nameOrID string) (string, error) {
	if nameOrID == "" {
		return "", usageError{"--department is required"}
	}
	list, err := e.db.ListDepartments(ctx)
	if err != nil {
		return "", err
	}
	var names []string
	for _, d := range list {
		if d.ID == nameOrID || d.Name == nameOrID || strings.EqualFold(d.NameEn, nameOrID) {
			return d.ID, nil
		}
		names = append(names, d.Name)
	}
	if len(names) == 0 {
		return "", fmt.Errorf("no departments exist yet: create one on the administration pages, or run 'haven demo'")
	}
	return "", fmt.Errorf("no department %q; known: %s", nameOrID, strings.Join(names, ", "))
}

// describe turns field errors into one readable line for the terminal.
func describe(err error) error {
	if f := errs.FieldsOf(err); len(f) > 0 {
		var parts []string
		for k, v := range f {
			parts = append(parts, k+": "+strings.TrimPrefix(v, "err."))
		}
		return fmt.Errorf("invalid input (%s)", strings.Join(parts, "; "))
	}
	if errs.Is(errs.NotFound, err) {
		return fmt.Errorf("no such user")
	}
	return err
}
