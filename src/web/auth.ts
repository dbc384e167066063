/**
 * Logging in and signing up. Sign-up says what is wrong beside each field
 * (a name, an email that looks like one, a password of 8 to 128
 * characters) before anything is sent, and puts the service's refusals
 * beside the field they concern too.
 */
import { GraphQLFailure, LOGIN, SIGNUP, gql } from './api.js';
import type { User } from './api.js';
import { $, fieldError, notice } from './dom.js';
import { plainWords } from './words.js';

const SIGNUP_FIELDS = ['name', 'email', 'password'] as const;
type SignupField = (typeof SIGNUP_FIELDS)[number];

/** What is wrong with each sign-up field as typed ('' when nothing). */
function signupProblems(form: FormData): Record<SignupField, string> {
  const text = (name: SignupField) => String(form.get(name) ?? '');
  const password = text('password');
  return {
    name: text('name').trim() === '' ? 'Enter your name.' : '',
    email: /^[^\s@]+@[^\s@]+$/.test(text('email').trim())
      ? ''
      : 'Enter your email, such as ada@example.com.',
    password:
      password.length < 8
        ? 'Choose a password of at least 8 characters.'
        : password.length > 128
          ? 'Choose a password of at most 128 characters.'
          : '',
  };
}

/** The field a refusal of sign-up concerns, or null for the form as a whole. */
function signupFieldOf(error: unknown): SignupField | null {
  if (!(error instanceof GraphQLFailure)) return null;
  if (error.code === 'ALREADY_EXISTS') return 'email';
  const field = error.details.field;
  return SIGNUP_FIELDS.find((name) => name === field) ?? null;
}

function sayAtSignup(field: SignupField | null, text: string): void {
  if (field === null) fieldError('signup-error', null, text);
  else fieldError(`signup-${field}-error`, `signup-${field}`, text);
}

function clearSignup(): void {
  sayAtSignup(null, '');
  for (const field of SIGNUP_FIELDS) sayAtSignup(field, '');
}

/**
 * One auth form: `submit` reads it and signs the person in, or says why
 * not (`refuse`); `signedIn` shows their wallet.
 */
function wireAuthForm(
  id: string,
  submit: (form: FormData) => Promise<User | null>,
  refuse: (error: unknown) => void,
  signedIn: (user: User) => Promise<void>,
): void {
  const form = $<HTMLFormElement>(id);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button') as HTMLButtonElement;
    if (button.disabled) return;
    button.disabled = true;
    try {
      notice('');
      const user = await submit(new FormData(form));
      if (user === null) return;
      await signedIn(user);
      form.reset();
    } catch (error) {
      refuse(error);
    } finally {
      button.disabled = false;
    }
  });
}

/** The log-in and sign-up forms; `signedIn` is what the page does next. */
export function wireAuthForms(signedIn: (user: User) => Promise<void>): void {
  wireAuthForm(
    'login-form',
    async (form) => {
      $('login-error').textContent = '';
      const input = { email: form.get('email'), password: form.get('password') };
      return (await gql<{ login: User }>(LOGIN, { input })).login;
    },
    (error) => ($('login-error').textContent = plainWords(error)),
    signedIn,
  );
  wireAuthForm(
    'signup-form',
    async (form) => {
      clearSignup();
      const problems = signupProblems(form);
      for (const field of SIGNUP_FIELDS) sayAtSignup(field, problems[field]);
      const first = SIGNUP_FIELDS.find((field) => problems[field] !== '');
      if (first !== undefined) {
        $(`signup-${first}`).focus();
        return null;
      }
      const input = {
        name: form.get('name'),
        email: form.get('email'),
        password: form.get('password'),
      };
      return (await gql<{ signup: User }>(SIGNUP, { input })).signup;
    },
    (error) => sayAtSignup(signupFieldOf(error), plainWords(error)),
    signedIn,
  );
}

/** Both forms as new: nothing typed, no message. */
export function clearAuthForms(): void {
  $('login-error').textContent = '';
  clearSignup();
}
