import 'flock-kit'; // registers the <flock-*> elements
import { createApp } from 'vue';
import App from './App.vue';
import { signedIn } from './supabase.ts';

const user = await signedIn;
createApp(App, { name: String(user.user_metadata.name ?? 'Guest') }).mount('#app');
